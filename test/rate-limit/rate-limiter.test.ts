import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { isBulwarkError } from '../../src/core/index.js';
import { setMetricsCallbacks } from '../../src/metrics/index.js';
import {
  isRateLimitedError,
  RateLimitedError,
  RateLimiter,
  withRateLimit,
} from '../../src/rate-limit/index.js';
import { VirtualClock } from '../../src/testing/index.js';

const ok = async () => 'ok';

let restoreMetrics: { dispose(): void } | undefined;
afterEach(() => restoreMetrics?.dispose());

describe('RateLimiter', () => {
  it('lets limitForPeriod calls through at once, then rejects with RATE_LIMITED and retryAfterMs', async () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter({ limitForPeriod: 3, periodMs: 1000, clock, name: 'api' });
    await Promise.all([limiter.execute(ok), limiter.execute(ok), limiter.execute(ok)]);
    const error = await limiter.execute(ok).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(isRateLimitedError(error)).toBe(true);
    expect(isBulwarkError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', limiterName: 'api', retryAfterMs: 334 });
    expect((error as Error).stack ?? '').not.toMatch(/\n\s+at /);
    expect(limiter.getStats()).toEqual({ available: 0, waiting: 0, rejected: 1 });
  });

  it('defaults timeoutMs to 0 and refills tokens evenly over periodMs', async () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter({ limitForPeriod: 2, periodMs: 1000, clock });
    expect(limiter.timeoutMs).toBe(0);
    expect(limiter.name).toBe('rate-limiter');
    await limiter.execute(ok);
    await limiter.execute(ok);
    await expect(limiter.execute(ok)).rejects.toMatchObject({ retryAfterMs: 500 });
    await clock.advance(499);
    await expect(limiter.execute(ok)).rejects.toMatchObject({ retryAfterMs: 1 });
    await clock.advance(1);
    await expect(limiter.execute(ok)).resolves.toBe('ok');
    await clock.advance(10_000);
    expect(limiter.getStats().available).toBe(2);
  });

  it('never holds more than limitForPeriod tokens', async () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter({ limitForPeriod: 2, periodMs: 100, clock });
    await clock.advance(60_000);
    expect([limiter.tryAcquire(), limiter.tryAcquire(), limiter.tryAcquire()]).toEqual([true, true, false]);
  });

  it('makes a call wait up to timeoutMs for its token, in arrival order', async () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter({ limitForPeriod: 1, periodMs: 100, timeoutMs: 250, clock });
    const started: Array<[string, number]> = [];
    const call = (id: string) =>
      limiter.execute(() => {
        started.push([id, clock.now()]);
        return id;
      });
    const calls = [call('a'), call('b'), call('c')];
    expect(limiter.getStats().waiting).toBe(2);
    // A fourth call would wait 300 ms, more than timeoutMs.
    await expect(call('d')).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 300 });
    await clock.advance(200);
    await expect(Promise.all(calls)).resolves.toEqual(['a', 'b', 'c']);
    expect(started).toEqual([
      ['a', 0],
      ['b', 100],
      ['c', 200],
    ]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('ends a wait at once with signal.reason, gives the token back and removes its listener', async () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter({ limitForPeriod: 1, periodMs: 100, timeoutMs: 1000, clock });
    await limiter.execute(ok);
    const controller = new AbortController();
    let ran = false;
    const waiting = limiter.execute(() => {
      ran = true;
    }, controller.signal);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(ran).toBe(false);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
    expect(limiter.getStats().waiting).toBe(0);
    await clock.advance(100);
    expect(limiter.tryAcquire()).toBe(true);
  });

  it('rejects with signal.reason without taking a token when the signal is already aborted', async () => {
    const limiter = new RateLimiter({ limitForPeriod: 1, periodMs: 1000, clock: new VirtualClock() });
    const reason = new Error('gone');
    await expect(limiter.execute(ok, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(limiter.getStats().available).toBe(1);
  });

  it('waits as long as needed when timeoutMs is Infinity', async () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter({ limitForPeriod: 1, periodMs: 60_000, timeoutMs: Infinity, clock });
    await limiter.execute(ok);
    const late = limiter.execute(ok);
    await clock.advance(60_000);
    await expect(late).resolves.toBe('ok');
  });

  it('passes the caller signal and attempt 1, and propagates failures', async () => {
    const limiter = new RateLimiter({ limitForPeriod: 5, periodMs: 1000, clock: new VirtualClock() });
    const controller = new AbortController();
    const context = await limiter.execute((ctx) => ctx, controller.signal);
    expect(context).toMatchObject({ signal: controller.signal, attempt: 1 });
    const boom = new Error('boom');
    await expect(
      limiter.execute(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });

  it('reports outcomes through the metrics callbacks', async () => {
    const clock = new VirtualClock();
    const completed: string[] = [];
    restoreMetrics = setMetricsCallbacks({
      callCompleted: (policy, name, outcome, durationMs) =>
        completed.push(`${policy}/${name}/${outcome}/${durationMs}`),
    });
    const limiter = new RateLimiter({ limitForPeriod: 1, periodMs: 100, timeoutMs: 100, clock, name: 'x' });
    await limiter.execute(ok);
    const waited = limiter.execute(ok);
    await limiter.execute(ok).catch(() => undefined);
    await clock.advance(100);
    await waited;
    expect(completed).toEqual([
      'rate_limiter/x/success/0',
      'rate_limiter/x/rejected/0',
      'rate_limiter/x/success/100',
    ]);
  });

  it('never admits more than the bucket allows, and admits whenever a token is free (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 60 }),
        (limitForPeriod, periodMs, gaps) => {
          let nowMs = 0;
          const clock = { now: () => nowMs, setTimeout: () => 0, clearTimeout: () => undefined };
          const limiter = new RateLimiter({ limitForPeriod, periodMs, clock });
          // A simple model: tokens refill continuously, capped at limitForPeriod.
          let tokens = limitForPeriod;
          let admitted = 0;
          for (const gap of gaps) {
            nowMs += gap;
            tokens = Math.min(limitForPeriod, tokens + (gap * limitForPeriod) / periodMs);
            const modelAdmits = tokens >= 1 - 1e-9;
            if (modelAdmits) tokens -= 1;
            const took = limiter.tryAcquire();
            expect(took).toBe(modelAdmits);
            if (took) admitted++;
            expect(admitted).toBeLessThanOrEqual(
              limitForPeriod + Math.floor((nowMs * limitForPeriod) / periodMs),
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  describe('configuration', () => {
    it('requires limitForPeriod and periodMs', () => {
      expect(() => new RateLimiter({ periodMs: 1000 } as never)).toThrow(/limitForPeriod is required/);
      expect(() => new RateLimiter({ limitForPeriod: 1 } as never)).toThrow(/periodMs is required/);
    });

    it('rejects invalid values and unknown keys, naming the field', () => {
      expect(() => new RateLimiter({ limitForPeriod: 0, periodMs: 1000 })).toThrow(
        /RateLimiterOptions\.limitForPeriod/,
      );
      expect(() => new RateLimiter({ limitForPeriod: 1, periodMs: 0 })).toThrow(RangeError);
      expect(() => new RateLimiter({ limitForPeriod: 1, periodMs: 10, timeoutMs: -1 })).toThrow(
        /RateLimiterOptions\.timeoutMs/,
      );
      expect(() => new RateLimiter({ limitForPeriod: 1, periodMs: 10, limit: 3 } as never)).toThrow(
        /no option "limit"/,
      );
    });
  });
});

describe('withRateLimit', () => {
  it('wraps a function with one limiter shared by its callers', async () => {
    const clock = new VirtualClock();
    const limited = withRateLimit({ limitForPeriod: 1, periodMs: 1000, clock })(async (n: number) => n * 2);
    expectTypeOf(limited).toEqualTypeOf<(n: number) => Promise<number>>();
    await expect(limited(2)).resolves.toBe(4);
    await expect(limited(3)).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1000 });
  });

  it('shares a given RateLimiter between functions and can pass the signal', async () => {
    const limiter = new RateLimiter({ limitForPeriod: 1, periodMs: 1000, clock: new VirtualClock() });
    const a = withRateLimit(limiter)(async () => 'a');
    const b = withRateLimit({ limitForPeriod: 1, periodMs: 10, passSignal: true })(
      async (signal: AbortSignal) => signal instanceof AbortSignal,
    );
    expectTypeOf(b).toEqualTypeOf<() => Promise<boolean>>();
    await expect(a()).resolves.toBe('a');
    await expect(limiter.execute(ok)).rejects.toBeInstanceOf(RateLimitedError);
    await expect(b()).resolves.toBe(true);
  });
});
