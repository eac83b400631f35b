import { Counter, Gauge, Histogram, type Registry, register } from 'prom-client';
import { rules, type Schema, validateConfig } from '../core/index.js';
import { HealthStatus } from '../health/index.js';
import {
  bucketsRule,
  circuitStateValues,
  defaultDurationBuckets,
  forEachStateSeries,
  type MetricsCallbacks,
} from '../metrics/index.js';
import { registeredMetric } from './registered-metric.js';

/** Options of {@link createMetricsCallbacks}. */
export interface PrometheusMetricsOptions {
  /**
   * The prefix of every metric name (`<namespace>_calls_total`): letters, digits and `_`.
   * @default 'bulwark'
   */
  namespace?: string | undefined;
  /**
   * The registry the metrics are registered in, used as given. bulwark never calls
   * `collectDefaultMetrics`: process metrics are the application's choice.
   * @default prom-client's global `register`
   */
  registry?: Registry | undefined;
  /**
   * Upper bounds, in seconds, of the call-duration histogram buckets.
   * @default [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
   */
  buckets?: readonly number[] | undefined;
}

const schema: Schema<PrometheusMetricsOptions> = {
  namespace: rules.matching(
    'a Prometheus name prefix: a letter or _, then letters, digits or _',
    /^[a-zA-Z_][a-zA-Z0-9_]*$/,
  ),
  registry: rules.withMethods('a prom-client Registry', 'getSingleMetric', 'registerMetric'),
  buckets: bucketsRule,
};

/**
 * Metrics callbacks backed by prom-client, following Prometheus naming: counters end in
 * `_total`, durations are histograms in seconds, and states are gauges with one series per
 * state. Labels carry only policy names, outcomes and states, never error messages,
 * arguments or ids. Install them with `setMetricsCallbacks`.
 *
 * Metrics: `<ns>_circuit_breaker_state{name,state}`, `<ns>_circuit_breaker_transitions_total{name,from,to}`,
 * `<ns>_calls_total{policy,name,outcome}`, `<ns>_call_duration_seconds{policy,name,outcome}`,
 * `<ns>_retry_attempts_total{operation}`, `<ns>_retry_exhausted_total{operation}`,
 * `<ns>_timeouts_total{operation}`, `<ns>_health_status{name,status}`,
 * `<ns>_bulkhead_active{name}`, `<ns>_bulkhead_queued{name}`.
 *
 * @example
 * import { Registry } from 'prom-client';
 * import { setMetricsCallbacks } from 'bulwark';
 * import { createMetricsCallbacks } from 'bulwark/prometheus';
 *
 * const registry = new Registry();
 * setMetricsCallbacks(createMetricsCallbacks({ namespace: 'shop', registry }));
 * // GET /metrics → res.end(await registry.metrics())
 * @throws TypeError or RangeError naming the option when the options are invalid, and
 * TypeError when the registry holds a different metric under one of the names.
 */
export function createMetricsCallbacks(options: PrometheusMetricsOptions = {}): MetricsCallbacks {
  validateConfig<PrometheusMetricsOptions>('PrometheusMetricsOptions', options, schema);
  const ns = options.namespace ?? 'bulwark';
  const registry = options.registry ?? register;
  const registers = [registry];

  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    registeredMetric(registry, `${ns}_${name}`, 'counter', labelNames, () => {
      return new Counter<L>({ name: `${ns}_${name}`, help, labelNames, registers });
    });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> =>
    registeredMetric(registry, `${ns}_${name}`, 'gauge', labelNames, () => {
      return new Gauge<L>({ name: `${ns}_${name}`, help, labelNames, registers });
    });

  const breakerState = gauge(
    'circuit_breaker_state',
    'Circuit breaker state: 1 for the current state, 0 for the others.',
    ['name', 'state'],
  );
  const transitions = counter('circuit_breaker_transitions_total', 'Circuit breaker state transitions.', [
    'name',
    'from',
    'to',
  ]);
  const calls = counter('calls_total', 'Calls through resilience policies, by outcome.', [
    'policy',
    'name',
    'outcome',
  ]);
  const callLabels = ['policy', 'name', 'outcome'] as const;
  const durationName = `${ns}_call_duration_seconds`;
  const durations = registeredMetric(registry, durationName, 'histogram', callLabels, () => {
    return new Histogram<(typeof callLabels)[number]>({
      name: durationName,
      help: 'Duration of calls through resilience policies, in seconds.',
      labelNames: callLabels,
      buckets: [...(options.buckets ?? defaultDurationBuckets)],
      registers,
    });
  });
  const retryAttempts = counter('retry_attempts_total', 'Retries scheduled after a failed attempt.', [
    'operation',
  ]);
  const retryExhausted = counter('retry_exhausted_total', 'Operations that failed after their last retry.', [
    'operation',
  ]);
  const timeouts = counter('timeouts_total', 'Calls that exceeded their timeout.', ['operation']);
  const healthStatus = gauge(
    'health_status',
    'Health status of checkers and checks: 1 for the current status, 0 for the others.',
    ['name', 'status'],
  );
  const bulkheadActive = gauge('bulkhead_active', 'Calls running inside a bulkhead.', ['name']);
  const bulkheadQueued = gauge('bulkhead_queued', 'Calls waiting for a bulkhead slot.', ['name']);
  const healthStatusValues = Object.values(HealthStatus);

  return {
    circuitBreakerStateChanged(name, oldState, newState) {
      transitions.inc({ name, from: oldState, to: newState });
      forEachStateSeries(circuitStateValues, newState, (state, flag) =>
        breakerState.set({ name, state }, flag),
      );
    },
    retryAttempt(operation) {
      retryAttempts.inc({ operation });
    },
    retryExhausted(operation) {
      retryExhausted.inc({ operation });
    },
    timeoutOccurred(operation) {
      timeouts.inc({ operation });
    },
    healthStatusChanged(name, _oldStatus, newStatus) {
      forEachStateSeries(healthStatusValues, newStatus, (status, flag) =>
        healthStatus.set({ name, status }, flag),
      );
    },
    callCompleted(policy, name, outcome, durationMs) {
      const labels = { policy, name, outcome };
      calls.inc(labels);
      if (durationMs >= 0 && durationMs < Number.POSITIVE_INFINITY)
        durations.observe(labels, durationMs / 1000);
    },
    bulkheadChanged(name, active, queued) {
      bulkheadActive.set({ name }, active);
      bulkheadQueued.set({ name }, queued);
    },
  };
}
