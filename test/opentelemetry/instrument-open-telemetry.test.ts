import { type Meter, metrics } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { instrumentOpenTelemetry } from '../../src/opentelemetry/index.js';

interface Recorded {
  readonly kind: string;
  readonly options: { unit?: string; advice?: { explicitBucketBoundaries?: number[] } } | undefined;
  readonly values: Array<[number, Record<string, unknown> | undefined]>;
}

/** A Meter that records every instrument it creates and every value recorded into it. */
function recordingMeter() {
  const instruments = new Map<string, Recorded>();
  const create =
    (kind: string) =>
    (name: string, options?: Recorded['options']): unknown => {
      const recorded: Recorded = { kind, options, values: [] };
      instruments.set(name, recorded);
      const record = (value: number, attributes?: Record<string, unknown>) => {
        recorded.values.push([value, attributes]);
      };
      return { add: record, record };
    };
  const meter = {
    createCounter: create('counter'),
    createHistogram: create('histogram'),
    createGauge: create('gauge'),
    createUpDownCounter: create('updowncounter'),
  } as unknown as Meter;
  return { meter, instruments };
}

describe('instrumentOpenTelemetry', () => {
  it('creates instruments mirroring the Prometheus set, with dot names and seconds for durations', () => {
    const { meter, instruments } = recordingMeter();
    instrumentOpenTelemetry(meter);
    expect(Object.fromEntries([...instruments].map(([name, { kind }]) => [name, kind]))).toEqual({
      'bulwark.circuit_breaker.state': 'gauge',
      'bulwark.circuit_breaker.transitions': 'counter',
      'bulwark.calls': 'counter',
      'bulwark.call.duration': 'histogram',
      'bulwark.retry.attempts': 'counter',
      'bulwark.retry.exhausted': 'counter',
      'bulwark.timeouts': 'counter',
      'bulwark.health.status': 'gauge',
      'bulwark.bulkhead.active': 'gauge',
      'bulwark.bulkhead.queued': 'gauge',
    });
    expect(instruments.get('bulwark.call.duration')?.options?.unit).toBe('s');
    expect(instruments.get('bulwark.call.duration')?.options?.advice?.explicitBucketBoundaries).toEqual([
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]);
  });

  it('records what the policies report, with the Prometheus label names as attributes', () => {
    const { meter, instruments } = recordingMeter();
    const callbacks = instrumentOpenTelemetry(meter, { namespace: 'shop', buckets: [0.1, 1] });
    callbacks.circuitBreakerStateChanged('payments', 'closed', 'open');
    callbacks.callCompleted('retry', 'charge', 'failure', 1500);
    callbacks.retryAttempt('charge', 1, 100);
    callbacks.retryExhausted('charge', 4);
    callbacks.timeoutOccurred('charge', 1000);
    callbacks.healthStatusChanged('postgres', 'healthy', 'degraded');
    callbacks.bulkheadChanged('pdf', 2, 1);
    const values = (name: string) => instruments.get(`shop.${name}`)?.values;
    expect(values('circuit_breaker.transitions')).toEqual([
      [1, { name: 'payments', from: 'closed', to: 'open' }],
    ]);
    expect(values('circuit_breaker.state')).toHaveLength(6);
    expect(values('circuit_breaker.state')).toContainEqual([1, { name: 'payments', state: 'open' }]);
    expect(values('circuit_breaker.state')).toContainEqual([0, { name: 'payments', state: 'closed' }]);
    expect(values('calls')).toEqual([[1, { policy: 'retry', name: 'charge', outcome: 'failure' }]]);
    expect(values('call.duration')).toEqual([[1.5, { policy: 'retry', name: 'charge', outcome: 'failure' }]]);
    expect(instruments.get('shop.call.duration')?.options?.advice?.explicitBucketBoundaries).toEqual([
      0.1, 1,
    ]);
    expect(values('retry.attempts')).toEqual([[1, { operation: 'charge' }]]);
    expect(values('retry.exhausted')).toEqual([[1, { operation: 'charge' }]]);
    expect(values('timeouts')).toEqual([[1, { operation: 'charge' }]]);
    expect(values('health.status')).toContainEqual([1, { name: 'postgres', status: 'degraded' }]);
    expect(values('health.status')).toContainEqual([0, { name: 'postgres', status: 'healthy' }]);
    expect(values('bulkhead.active')).toEqual([[2, { name: 'pdf' }]]);
    expect(values('bulkhead.queued')).toEqual([[1, { name: 'pdf' }]]);
  });

  it("works with the API's no-op meter when no SDK is registered", () => {
    const callbacks = instrumentOpenTelemetry(metrics.getMeter('bulwark-test'));
    expect(() => {
      callbacks.callCompleted('timeout', 'charge', 'timeout', 10);
      callbacks.circuitBreakerStateChanged('payments', 'closed', 'open');
    }).not.toThrow();
  });

  it('validates the meter and its options', () => {
    expect(() => instrumentOpenTelemetry({} as Meter)).toThrow(/must be an OpenTelemetry Meter/);
    const { meter } = recordingMeter();
    expect(() => instrumentOpenTelemetry(meter, { namespace: '' })).toThrow(
      /OpenTelemetryMetricsOptions\.namespace/,
    );
    expect(() => instrumentOpenTelemetry(meter, { buckets: [] })).toThrow(
      /OpenTelemetryMetricsOptions\.buckets/,
    );
    expect(() => instrumentOpenTelemetry(meter, { prefix: 'x' } as never)).toThrow(TypeError);
  });
});
