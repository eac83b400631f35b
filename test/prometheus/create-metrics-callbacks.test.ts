import { Gauge, Registry, register } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthChecker } from '../../src/health/index.js';
import { setMetricsCallbacks } from '../../src/metrics/index.js';
import { createMetricsCallbacks } from '../../src/prometheus/index.js';
import { VirtualClock } from '../../src/testing/index.js';

async function series(registry: Registry, name: string) {
  const metric = (await registry.getMetricsAsJSON()).find((candidate) => candidate.name === name);
  return metric?.values ?? [];
}

describe('createMetricsCallbacks', () => {
  afterEach(() => {
    setMetricsCallbacks(undefined);
    register.clear();
  });

  it('registers exactly the documented metrics, with their types and labels, in the given registry', async () => {
    const registry = new Registry();
    createMetricsCallbacks({ namespace: 'shop', registry });
    const metrics = (await registry.getMetricsAsJSON()).map(({ name, type }) => `${name} ${type}`);
    expect(metrics.sort()).toEqual(
      [
        'shop_bulkhead_active gauge',
        'shop_bulkhead_queued gauge',
        'shop_call_duration_seconds histogram',
        'shop_calls_total counter',
        'shop_circuit_breaker_state gauge',
        'shop_circuit_breaker_transitions_total counter',
        'shop_health_status gauge',
        'shop_retry_attempts_total counter',
        'shop_retry_exhausted_total counter',
        'shop_timeouts_total counter',
      ].sort(),
    );
    const labels = (name: string) =>
      (registry.getSingleMetric(name) as unknown as { labelNames: string[] }).labelNames;
    expect(labels('shop_circuit_breaker_state')).toEqual(['name', 'state']);
    expect(labels('shop_circuit_breaker_transitions_total')).toEqual(['name', 'from', 'to']);
    expect(labels('shop_calls_total')).toEqual(['policy', 'name', 'outcome']);
    expect(labels('shop_call_duration_seconds')).toEqual(['policy', 'name', 'outcome']);
    expect(labels('shop_retry_attempts_total')).toEqual(['operation']);
    expect(labels('shop_health_status')).toEqual(['name', 'status']);
    expect(labels('shop_bulkhead_active')).toEqual(['name']);
    expect(register.getMetricsAsArray()).toHaveLength(0);
  });

  it("uses prom-client's global registry by default and never adds default process metrics", async () => {
    createMetricsCallbacks();
    const names = register.getMetricsAsArray().map((metric) => (metric as unknown as { name: string }).name);
    expect(names).toContain('bulwark_calls_total');
    expect(names).toHaveLength(10);
    expect(await register.metrics()).not.toContain('process_cpu');
  });

  it('keeps a gauge series per breaker state, 1 for the current state and 0 for the others', async () => {
    const registry = new Registry();
    const callbacks = createMetricsCallbacks({ registry });
    callbacks.circuitBreakerStateChanged('payments', 'closed', 'open');
    callbacks.circuitBreakerStateChanged('payments', 'open', 'half_open');
    const state = await series(registry, 'bulwark_circuit_breaker_state');
    expect(Object.fromEntries(state.map(({ labels, value }) => [labels.state, value]))).toEqual({
      closed: 0,
      open: 0,
      half_open: 1,
      forced_open: 0,
      disabled: 0,
      metrics_only: 0,
    });
    const transitions = await series(registry, 'bulwark_circuit_breaker_transitions_total');
    expect(transitions.map(({ labels, value }) => [labels.from, labels.to, value])).toEqual([
      ['closed', 'open', 1],
      ['open', 'half_open', 1],
    ]);
  });

  it('counts calls by outcome and records their durations in seconds', async () => {
    const registry = new Registry();
    const callbacks = createMetricsCallbacks({ registry, buckets: [0.1, 1] });
    callbacks.callCompleted('circuit_breaker', 'payments', 'success', 50);
    callbacks.callCompleted('circuit_breaker', 'payments', 'success', 500);
    callbacks.callCompleted('circuit_breaker', 'payments', 'rejected', Number.NaN);
    const calls = await series(registry, 'bulwark_calls_total');
    expect(calls.map(({ labels, value }) => [labels.outcome, value])).toEqual([
      ['success', 2],
      ['rejected', 1],
    ]);
    const text = await registry.metrics();
    expect(text).toContain(
      'bulwark_call_duration_seconds_bucket{le="0.1",policy="circuit_breaker",name="payments",outcome="success"} 1',
    );
    expect(text).toContain(
      'bulwark_call_duration_seconds_bucket{le="1",policy="circuit_breaker",name="payments",outcome="success"} 2',
    );
    expect(text).toContain(
      'bulwark_call_duration_seconds_sum{policy="circuit_breaker",name="payments",outcome="success"} 0.55',
    );
    expect(text).not.toContain('outcome="rejected"} NaN');
  });

  it('counts retries, exhaustion and timeouts by operation, and tracks bulkhead occupancy', async () => {
    const registry = new Registry();
    const callbacks = createMetricsCallbacks({ registry });
    callbacks.retryAttempt('charge', 1, 100);
    callbacks.retryAttempt('charge', 2, 200);
    callbacks.retryExhausted('charge', 3);
    callbacks.timeoutOccurred('charge', 1000);
    callbacks.bulkheadChanged('pdf', 4, 2);
    callbacks.bulkheadChanged('pdf', 3, 0);
    expect((await series(registry, 'bulwark_retry_attempts_total'))[0]?.value).toBe(2);
    expect((await series(registry, 'bulwark_retry_exhausted_total'))[0]?.value).toBe(1);
    expect((await series(registry, 'bulwark_timeouts_total'))[0]).toMatchObject({
      labels: { operation: 'charge' },
      value: 1,
    });
    expect((await series(registry, 'bulwark_bulkhead_active'))[0]?.value).toBe(3);
    expect((await series(registry, 'bulwark_bulkhead_queued'))[0]?.value).toBe(0);
  });

  it('tracks health status changes reported by a HealthChecker once installed', async () => {
    const registry = new Registry();
    setMetricsCallbacks(createMetricsCallbacks({ registry }));
    const health = new HealthChecker({ name: 'orders', clock: new VirtualClock(), failureThreshold: 1 });
    health.registerCheck('postgres', () => false);
    await health.checkAll();
    const text = await registry.metrics();
    expect(text).toContain('bulwark_health_status{name="postgres",status="unhealthy"} 1');
    expect(text).toContain('bulwark_health_status{name="orders",status="unhealthy"} 1');
    expect(text).toContain('bulwark_health_status{name="orders",status="healthy"} 0');
  });

  it('reuses the metrics when created twice on one registry', async () => {
    const registry = new Registry();
    const first = createMetricsCallbacks({ namespace: 'shop', registry });
    const second = createMetricsCallbacks({ namespace: 'shop', registry });
    first.retryExhausted('charge', 3);
    second.retryExhausted('charge', 3);
    expect((await series(registry, 'shop_retry_exhausted_total'))[0]?.value).toBe(2);
    expect(registry.getMetricsAsArray()).toHaveLength(10);
  });

  it('refuses a registry that holds a different metric under one of its names', () => {
    const registry = new Registry();
    new Gauge({ name: 'shop_calls_total', help: 'not ours', registers: [registry] });
    expect(() => createMetricsCallbacks({ namespace: 'shop', registry })).toThrow(
      /already has a metric "shop_calls_total" \(gauge/,
    );
  });

  it('validates its options', () => {
    expect(() => createMetricsCallbacks({ namespace: 'my-shop' })).toThrow(
      /PrometheusMetricsOptions\.namespace/,
    );
    expect(() => createMetricsCallbacks({ namespace: '1shop' })).toThrow(TypeError);
    expect(() => createMetricsCallbacks({ registry: {} as never })).toThrow(
      /PrometheusMetricsOptions\.registry/,
    );
    expect(() => createMetricsCallbacks({ buckets: [1, 0.5] })).toThrow(/PrometheusMetricsOptions\.buckets/);
    expect(() => createMetricsCallbacks({ bucket: [1] } as never)).toThrow(/did you mean "buckets"/);
  });
});
