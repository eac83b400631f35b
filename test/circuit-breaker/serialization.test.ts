import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitBreakerSnapshot } from '../../src/circuit-breaker/index.js';
import { VirtualClock } from '../../src/testing/index.js';

describe('CircuitBreaker toJSON and fromJSON', () => {
  it('restores an open breaker with its cooldown and counts', async () => {
    const clock = new VirtualClock();
    const breaker = new CircuitBreaker('api', { clock, failureThreshold: 2, cooldownMs: 1000 });
    breaker.recordSuccess();
    breaker.recordFailure(new Error('a'));
    breaker.recordFailure(new Error('b'));
    breaker.canExecute();
    await clock.advance(400);
    const json = JSON.parse(JSON.stringify(breaker)) as CircuitBreakerSnapshot;
    const restored = CircuitBreaker.fromJSON(json, { clock, failureThreshold: 2, cooldownMs: 1000 });
    expect(restored.name).toBe('api');
    expect(restored.getMetrics()).toEqual(breaker.getMetrics());
    await clock.advance(600);
    expect(restored.state).toBe('half_open');
  });

  it('restores a half-open breaker as half-open, with its trial successes', async () => {
    const clock = new VirtualClock();
    const config = { clock, failureThreshold: 1, cooldownMs: 100, successThreshold: 2 };
    const breaker = new CircuitBreaker('api', config);
    breaker.recordFailure(new Error('down'));
    await clock.advance(100);
    breaker.recordSuccess();
    const restored = CircuitBreaker.fromJSON(breaker.toJSON(), config);
    expect(restored.state).toBe('half_open');
    restored.recordSuccess();
    expect(restored.state).toBe('closed');
  });

  it('restores the sliding window, so rates carry over', () => {
    const config = { failureThreshold: 100, minimumNumberOfCalls: 4 };
    const breaker = new CircuitBreaker('api', config);
    for (const failed of [false, false, true]) {
      if (failed) breaker.recordFailure(new Error('x'));
      else breaker.recordSuccess();
    }
    const restored = CircuitBreaker.fromJSON(breaker.toJSON(), config);
    expect(restored.getMetrics().failureRate).toBeCloseTo(1 / 3);
    restored.recordFailure(new Error('y'));
    expect(restored.state).toBe('open');
  });

  it('restores a time window that has not expired', async () => {
    const clock = new VirtualClock();
    const config = { clock, failureThreshold: 100, slidingWindow: { type: 'time', size: 1000 } } as const;
    const breaker = new CircuitBreaker('api', config);
    breaker.recordFailure(new Error('x'));
    await clock.advance(500);
    breaker.recordSuccess();
    const restored = CircuitBreaker.fromJSON(breaker.toJSON(), config);
    expect(restored.getStatus().window).toMatchObject({ calls: 2, failures: 1 });
    await clock.advance(500);
    expect(restored.getStatus().window).toMatchObject({ calls: 1, failures: 0 });
  });

  it('rejects anything that is not a snapshot', () => {
    expect(() => CircuitBreaker.fromJSON({} as CircuitBreakerSnapshot)).toThrow(TypeError);
    expect(() => CircuitBreaker.fromJSON({ version: 1, name: 'x', state: 'ajar' } as never)).toThrow(
      TypeError,
    );
  });
});
