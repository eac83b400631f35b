import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  CircuitBreakerTimeoutError,
  isCircuitBreakerTimeoutError,
} from '../../src/circuit-breaker/index.js';
import { runSync } from '../../src/core/index.js';
import { VirtualClock } from '../../src/testing/index.js';

describe('CircuitBreaker timeoutMs', () => {
  it('fails a call still running at the deadline with a TIMEOUT failure and aborts its signal', async () => {
    const clock = new VirtualClock();
    const breaker = new CircuitBreaker('slow', { clock, timeoutMs: 100, failureThreshold: 1 });
    let seen: AbortSignal | undefined;
    const pending = breaker.execute(({ signal }) => {
      seen = signal;
      return new Promise<never>(() => {});
    });
    const settled = pending.catch((error: unknown) => error);
    await clock.advance(99);
    expect(seen?.aborted).toBe(false);
    await clock.advance(1);
    const error = await settled;
    expect(error).toBeInstanceOf(CircuitBreakerTimeoutError);
    expect(isCircuitBreakerTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CIRCUIT_TIMEOUT', breakerName: 'slow', timeoutMs: 100 });
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(error);
    expect(breaker.getStatus()).toMatchObject({ state: 'open', timeouts: 1, lastFailureType: 'timeout' });
  });

  it('gives every call its own signal: one slow call aborts no other', async () => {
    const clock = new VirtualClock();
    const breaker = new CircuitBreaker('own-signal', { clock, timeoutMs: 100 });
    const signals: AbortSignal[] = [];
    const slow = breaker
      .execute(({ signal }) => {
        signals.push(signal);
        return new Promise<never>(() => {});
      })
      .catch(() => 'timed out');
    await clock.advance(50);
    const fast = breaker.execute(({ signal }) => {
      signals.push(signal);
      return new Promise<string>((resolve) => clock.setTimeout(() => resolve('fast'), 60));
    });
    await clock.advance(50);
    expect(await slow).toBe('timed out');
    expect(signals.map((signal) => signal.aborted)).toEqual([true, false]);
    await clock.advance(10);
    await expect(fast).resolves.toBe('fast');
    expect(signals[1]?.aborted).toBe(false);
  });

  it('leaves no timer behind once a call settles', async () => {
    const clock = new VirtualClock();
    const breaker = new CircuitBreaker('clean', { clock, timeoutMs: 1000 });
    const pending = breaker.execute(
      () => new Promise<string>((resolve) => clock.setTimeout(() => resolve('ok'), 10)),
    );
    await clock.advance(10);
    await expect(pending).resolves.toBe('ok');
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps a synchronous call synchronous, and fails it when it ran past the deadline', () => {
    let time = 0;
    const timers: unknown[] = [];
    const clock = {
      now: () => time,
      setTimeout: (fn: () => void) => timers.push(fn),
      clearTimeout: () => {},
    };
    const breaker = new CircuitBreaker('sync', { clock, timeoutMs: 100 });
    expect(breaker[runSync](() => 'quick')).toBe('quick');
    expect(() =>
      breaker[runSync](() => {
        time += 101;
        return 'late';
      }),
    ).toThrow(CircuitBreakerTimeoutError);
    expect(timers).toHaveLength(0);
    expect(breaker.getStatus().timeouts).toBe(1);
  });
});

describe('CircuitBreaker with a caller signal', () => {
  it('settles as ignored when the function itself aborts the caller signal', async () => {
    const breaker = new CircuitBreaker('self-abort');
    const controller = new AbortController();
    const pending = breaker.execute(() => {
      controller.abort(new Error('changed my mind'));
      return new Promise<never>(() => {});
    }, controller.signal);
    await expect(pending).rejects.toThrow('changed my mind');
    expect(breaker.getStatus()).toMatchObject({ calls: 0, ignored: 1 });
  });
});
