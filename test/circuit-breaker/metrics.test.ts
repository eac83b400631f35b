import { afterEach, describe, expect, it, vi } from 'vitest';
import { CircuitBreaker, withCircuitBreaker } from '../../src/circuit-breaker/index.js';
import type { Disposable } from '../../src/core/index.js';
import { setMetricsCallbacks } from '../../src/metrics/index.js';
import { VirtualClock } from '../../src/testing/index.js';

let installed: Disposable | undefined;
afterEach(() => installed?.dispose());

function install() {
  const callbacks = { circuitBreakerStateChanged: vi.fn(), callCompleted: vi.fn() };
  installed = setMetricsCallbacks(callbacks);
  return callbacks;
}

describe('CircuitBreaker metrics callbacks', () => {
  it('reports state changes and every call outcome with its duration', async () => {
    const metrics = install();
    const clock = new VirtualClock();
    const breaker = new CircuitBreaker('metered', {
      clock,
      failureThreshold: 1,
      ignoreErrors: [RangeError],
      slowCallDurationMs: Number.POSITIVE_INFINITY,
    });
    const done = breaker.execute(() => new Promise((resolve) => clock.setTimeout(() => resolve('ok'), 25)));
    await clock.advance(25);
    await done;
    await breaker.execute(() => Promise.reject(new RangeError('ignored'))).catch(() => {});
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
    await breaker.execute(async () => 1).catch(() => {});
    expect(metrics.callCompleted.mock.calls).toEqual([
      ['circuit_breaker', 'metered', 'success', 25],
      ['circuit_breaker', 'metered', 'ignored', 0],
      ['circuit_breaker', 'metered', 'failure', 0],
      ['circuit_breaker', 'metered', 'rejected', 0],
    ]);
    expect(metrics.circuitBreakerStateChanged.mock.calls).toEqual([['metered', 'closed', 'open']]);
  });

  it('reports timeouts and fallbacks as their own outcomes', async () => {
    const metrics = install();
    const clock = new VirtualClock();
    const breaker = new CircuitBreaker('timed', { clock, timeoutMs: 10 });
    const pending = breaker.execute(() => new Promise(() => {})).catch(() => 'timed out');
    await clock.advance(10);
    expect(await pending).toBe('timed out');
    const guarded = withCircuitBreaker({ name: 'with-fallback', fallback: 'cached' })(async () => {
      throw new Error('down');
    });
    await expect(guarded()).resolves.toBe('cached');
    expect(metrics.callCompleted.mock.calls.map((call) => call[2])).toEqual([
      'timeout',
      'failure',
      'fallback',
    ]);
  });
});
