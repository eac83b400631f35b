import type { Meter } from '@opentelemetry/api';
import { rules, type Schema, validateConfig } from '../core/index.js';
import { HealthStatus } from '../health/index.js';
import {
  bucketsRule,
  circuitStateValues,
  defaultDurationBuckets,
  forEachStateSeries,
  type MetricsCallbacks,
} from '../metrics/index.js';

/** Options of {@link instrumentOpenTelemetry}. */
export interface OpenTelemetryMetricsOptions {
  /**
   * The prefix of every instrument name (`<namespace>.calls`).
   * @default 'bulwark'
   */
  namespace?: string | undefined;
  /**
   * Bucket boundaries, in seconds, advised for the call-duration histogram.
   * @default [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
   */
  buckets?: readonly number[] | undefined;
}

const schema: Schema<OpenTelemetryMetricsOptions> = {
  namespace: rules.matching(
    'an instrument name prefix: a letter, then letters, digits, _, . or -',
    /^[a-zA-Z][a-zA-Z0-9_.-]*$/,
  ),
  buckets: bucketsRule,
};

/**
 * Metrics callbacks that record into an OpenTelemetry `Meter`, mirroring the Prometheus
 * set with OpenTelemetry names: `bulwark.circuit_breaker.state` (gauge, 1 for the current
 * state), `bulwark.circuit_breaker.transitions`, `bulwark.calls`, `bulwark.call.duration`
 * (histogram, unit `s`), `bulwark.retry.attempts`, `bulwark.retry.exhausted`,
 * `bulwark.timeouts`, `bulwark.health.status`, `bulwark.bulkhead.active` and
 * `bulwark.bulkhead.queued`, with the same attributes as the Prometheus labels.
 * `@opentelemetry/api` is an optional peer dependency, loaded only by this entry point.
 *
 * @example
 * import { metrics } from '@opentelemetry/api';
 * import { setMetricsCallbacks } from 'bulwark';
 * import { instrumentOpenTelemetry } from 'bulwark/opentelemetry';
 *
 * setMetricsCallbacks(instrumentOpenTelemetry(metrics.getMeter('checkout')));
 * @throws TypeError naming the option when the options are invalid, or when `meter` is not a Meter.
 */
export function instrumentOpenTelemetry(
  meter: Meter,
  options: OpenTelemetryMetricsOptions = {},
): MetricsCallbacks {
  if (typeof meter?.createCounter !== 'function' || typeof meter.createGauge !== 'function') {
    throw new TypeError(
      'instrumentOpenTelemetry(meter): meter must be an OpenTelemetry Meter (API 1.9 or later)',
    );
  }
  validateConfig<OpenTelemetryMetricsOptions>('OpenTelemetryMetricsOptions', options, schema);
  const ns = options.namespace ?? 'bulwark';

  const breakerState = meter.createGauge(`${ns}.circuit_breaker.state`, {
    description: 'Circuit breaker state: 1 for the current state, 0 for the others.',
    unit: '1',
  });
  const transitions = meter.createCounter(`${ns}.circuit_breaker.transitions`, {
    description: 'Circuit breaker state transitions.',
    unit: '{transition}',
  });
  const calls = meter.createCounter(`${ns}.calls`, {
    description: 'Calls through resilience policies, by outcome.',
    unit: '{call}',
  });
  const durations = meter.createHistogram(`${ns}.call.duration`, {
    description: 'Duration of calls through resilience policies.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...(options.buckets ?? defaultDurationBuckets)] },
  });
  const retryAttempts = meter.createCounter(`${ns}.retry.attempts`, {
    description: 'Retries scheduled after a failed attempt.',
    unit: '{retry}',
  });
  const retryExhausted = meter.createCounter(`${ns}.retry.exhausted`, {
    description: 'Operations that failed after their last retry.',
    unit: '{operation}',
  });
  const timeouts = meter.createCounter(`${ns}.timeouts`, {
    description: 'Calls that exceeded their timeout.',
    unit: '{timeout}',
  });
  const healthStatus = meter.createGauge(`${ns}.health.status`, {
    description: 'Health status of checkers and checks: 1 for the current status, 0 for the others.',
    unit: '1',
  });
  const bulkheadActive = meter.createGauge(`${ns}.bulkhead.active`, {
    description: 'Calls running inside a bulkhead.',
    unit: '{call}',
  });
  const bulkheadQueued = meter.createGauge(`${ns}.bulkhead.queued`, {
    description: 'Calls waiting for a bulkhead slot.',
    unit: '{call}',
  });
  const healthStatusValues = Object.values(HealthStatus);

  return {
    circuitBreakerStateChanged(name, oldState, newState) {
      transitions.add(1, { name, from: oldState, to: newState });
      forEachStateSeries(circuitStateValues, newState, (state, flag) =>
        breakerState.record(flag, { name, state }),
      );
    },
    retryAttempt(operation) {
      retryAttempts.add(1, { operation });
    },
    retryExhausted(operation) {
      retryExhausted.add(1, { operation });
    },
    timeoutOccurred(operation) {
      timeouts.add(1, { operation });
    },
    healthStatusChanged(name, _oldStatus, newStatus) {
      forEachStateSeries(healthStatusValues, newStatus, (status, flag) =>
        healthStatus.record(flag, { name, status }),
      );
    },
    callCompleted(policy, name, outcome, durationMs) {
      const attributes = { policy, name, outcome };
      calls.add(1, attributes);
      if (durationMs >= 0 && durationMs < Number.POSITIVE_INFINITY)
        durations.record(durationMs / 1000, attributes);
    },
    bulkheadChanged(name, active, queued) {
      bulkheadActive.record(active, { name });
      bulkheadQueued.record(queued, { name });
    },
  };
}
