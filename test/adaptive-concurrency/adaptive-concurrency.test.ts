import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  AdaptiveConcurrencyLimiter,
  ConcurrencyLimitAlgorithm,
  withAdaptiveConcurrency,
} from '../../src/adaptive-concurrency/index.js';
import { BulkheadRejectedError } from '../../src/bulkhead/index.js';
import { BulwarkError } from '../../src/core/index.js';
import { setMetricsCallbacks } from '../../src/metrics/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { Simulation } from './simulation.js';

let restoreMetrics: { dispose(): void } | undefined;
afterEach(() => restoreMetrics?.dispose());

describe('AdaptiveConcurrencyLimiter', () => {
  it('defaults to AIMD with limits 20, 1 and 200', () => {
    const limiter = new AdaptiveConcurrencyLimiter();
    expect(limiter.algorithm).toBe(ConcurrencyLimitAlgorithm.AIMD);
    expect(limiter.limit).toBe(20);
    expect(limiter.getStats()).toEqual({ limit: 20, active: 0, rejected: 0 });
    expect(limiter.name).toBe('adaptive-concurrency');
    expect(ConcurrencyLimitAlgorithm.GRADIENT2).toBe('gradient2');
  });

  it('refuses calls beyond the limit with BulkheadRejectedError', async () => {
    const limiter = new AdaptiveConcurrencyLimiter({
      initialLimit: 2,
      minLimit: 1,
      maxLimit: 2,
      name: 'svc',
    });
    const release: Array<() => void> = [];
    const hold = () => new Promise<void>((resolve) => release.push(resolve));
    const running = [limiter.execute(hold), limiter.execute(hold)];
    const error = await limiter.execute(hold).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BulkheadRejectedError);
    expect(error).toMatchObject({ code: 'BULKHEAD_FULL', bulkheadName: 'svc', maxConcurrent: 2 });
    expect(limiter.getStats()).toEqual({ limit: 2, active: 2, rejected: 1 });
    for (const done of release) done();
    await Promise.all(running);
    expect(limiter.getStats().active).toBe(0);
  });

  it('rejects with signal.reason without running when the signal is already aborted', async () => {
    const limiter = new AdaptiveConcurrencyLimiter();
    const reason = new Error('stop');
    await expect(limiter.execute(() => 1, AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('does not count errors other than drops, nor the caller cancelling, as drops', async () => {
    const limiter = new AdaptiveConcurrencyLimiter({ initialLimit: 10 });
    for (let index = 0; index < 5; index++) {
      await limiter.execute(() => Promise.reject(new Error('not found'))).catch(() => undefined);
      const controller = new AbortController();
      const reason = new BulwarkError('TIMEOUT', 'caller deadline');
      controller.abort(reason);
      await limiter.execute(() => Promise.reject(reason), controller.signal).catch(() => undefined);
    }
    expect(limiter.limit).toBe(10);
    await limiter.execute(() => Promise.reject(new BulwarkError('TIMEOUT', 'late'))).catch(() => undefined);
    expect(limiter.limit).toBe(9);
  });

  it('accepts a custom drop predicate', async () => {
    const limiter = new AdaptiveConcurrencyLimiter({
      initialLimit: 10,
      isDrop: (error) => (error as { status?: number }).status === 503,
    });
    await limiter
      .execute(() => Promise.reject(Object.assign(new Error('busy'), { status: 503 })))
      .catch(() => 0);
    expect(limiter.limit).toBe(9);
  });

  it('reports occupancy and outcomes through the metrics callbacks', async () => {
    const clock = new VirtualClock();
    const events: string[] = [];
    restoreMetrics = setMetricsCallbacks({
      bulkheadChanged: (name, active, queued) => events.push(`${name} ${active}/${queued}`),
      callCompleted: (policy, name, outcome, durationMs) =>
        events.push(`${policy} ${name} ${outcome} ${durationMs}`),
    });
    const limiter = new AdaptiveConcurrencyLimiter({ name: 'db', clock });
    const call = limiter.execute(() => new Promise((resolve) => clock.setTimeout(() => resolve(1), 30)));
    await clock.advance(30);
    await call;
    expect(events).toEqual(['db 1/0', 'db 0/0', 'adaptive_concurrency db success 30']);
  });

  describe('with AIMD', () => {
    it('falls under injected drops and recovers afterwards', async () => {
      const clock = new VirtualClock();
      const limiter = new AdaptiveConcurrencyLimiter({ algorithm: 'aimd', clock });
      const simulation = new Simulation(clock, limiter);
      simulation.start(40);
      const warmed = await simulation.run(2000);
      expect(warmed).toBeGreaterThanOrEqual(60);
      simulation.server.dropEvery = 2;
      const dropped = await simulation.run(1000);
      expect(dropped).toBeLessThan(warmed / 4);
      simulation.server.dropEvery = 0;
      const recovered = await simulation.run(3000);
      expect(recovered).toBeGreaterThanOrEqual(60);
      await simulation.stop();
    });

    it('treats calls slower than maxLatencyMs as drops', async () => {
      const clock = new VirtualClock();
      const limiter = new AdaptiveConcurrencyLimiter({ algorithm: 'aimd', maxLatencyMs: 100, clock });
      const simulation = new Simulation(clock, limiter);
      simulation.start(30);
      expect(await simulation.run(1000)).toBeGreaterThanOrEqual(40);
      simulation.server.slowFactor = 20;
      expect(await simulation.run(2000)).toBeLessThan(10);
      simulation.server.slowFactor = 1;
      expect(await simulation.run(3000)).toBeGreaterThanOrEqual(40);
      await simulation.stop();
    });
  });

  describe('with Gradient2', () => {
    it('falls when latency rises and recovers when it returns to normal', async () => {
      const clock = new VirtualClock();
      const limiter = new AdaptiveConcurrencyLimiter({ algorithm: 'gradient2', clock });
      const simulation = new Simulation(clock, limiter);
      simulation.start(40);
      const warmed = await simulation.run(2000);
      expect(warmed).toBeGreaterThanOrEqual(60);
      simulation.server.slowFactor = 5;
      const slowed = await simulation.run(1000);
      expect(slowed).toBeLessThan(warmed / 2);
      simulation.server.slowFactor = 1;
      const recovered = await simulation.run(3000);
      expect(recovered).toBeGreaterThanOrEqual(60);
      await simulation.stop();
    });

    it('falls under injected drops and recovers afterwards', async () => {
      const clock = new VirtualClock();
      const limiter = new AdaptiveConcurrencyLimiter({ algorithm: 'gradient2', clock });
      const simulation = new Simulation(clock, limiter);
      simulation.start(40);
      const warmed = await simulation.run(2000);
      simulation.server.dropEvery = 2;
      const dropped = await simulation.run(1000);
      expect(dropped).toBeLessThan(warmed / 4);
      simulation.server.dropEvery = 0;
      expect(await simulation.run(3000)).toBeGreaterThanOrEqual(60);
      await simulation.stop();
    });

    it('stays bounded near the downstream capacity under sustained overload', async () => {
      const clock = new VirtualClock();
      const limiter = new AdaptiveConcurrencyLimiter({ algorithm: 'gradient2', clock });
      // The downstream serves 10 calls at once; 60 clients offer far more.
      const simulation = new Simulation(clock, limiter, { capacity: 10 });
      simulation.start(60);
      await simulation.run(8000);
      const settled = simulation.limits.slice(20);
      expect(Math.max(...settled)).toBeLessThanOrEqual(30);
      expect(Math.min(...settled)).toBeGreaterThanOrEqual(5);
      await simulation.stop();
    }, 30_000);

    it('stays bounded under moderate overload, by twice the calls on offer at most', async () => {
      const clock = new VirtualClock();
      const limiter = new AdaptiveConcurrencyLimiter({ algorithm: 'gradient2', clock });
      const simulation = new Simulation(clock, limiter, { capacity: 10 });
      simulation.start(16);
      await simulation.run(8000);
      expect(Math.max(...simulation.limits)).toBeLessThanOrEqual(33);
      await simulation.stop();
    }, 30_000);

    it('learns a service that became slower for good', async () => {
      const clock = new VirtualClock();
      const limiter = new AdaptiveConcurrencyLimiter({ algorithm: 'gradient2', clock });
      const simulation = new Simulation(clock, limiter);
      simulation.start(40);
      await simulation.run(2000);
      simulation.server.slowFactor = 4;
      await simulation.run(2000);
      // After backing off, the new latency becomes the reference and the limit grows again.
      expect(await simulation.run(15_000)).toBeGreaterThanOrEqual(60);
      await simulation.stop();
    });
  });

  describe('configuration', () => {
    it('rejects invalid values, inconsistent bounds and unknown keys', () => {
      expect(() => new AdaptiveConcurrencyLimiter({ algorithm: 'vegas' as never })).toThrow(
        /AdaptiveConcurrencyOptions\.algorithm/,
      );
      expect(() => new AdaptiveConcurrencyLimiter({ minLimit: 0 })).toThrow(RangeError);
      expect(() => new AdaptiveConcurrencyLimiter({ minLimit: 50, maxLimit: 10 })).toThrow(/minLimit/);
      expect(() => new AdaptiveConcurrencyLimiter({ initialLimit: 500 })).toThrow(/initialLimit/);
      expect(() => new AdaptiveConcurrencyLimiter({ backoffRatio: 1 })).toThrow(/backoffRatio/);
      expect(() => new AdaptiveConcurrencyLimiter({ smoothing: 2 })).toThrow(/smoothing/);
      expect(() => new AdaptiveConcurrencyLimiter({ limt: 3 } as never)).toThrow(/no option "limt"/);
    });

    it('starts within the bounds when only they are given', () => {
      expect(new AdaptiveConcurrencyLimiter({ maxLimit: 8 }).limit).toBe(8);
      expect(new AdaptiveConcurrencyLimiter({ minLimit: 30 }).limit).toBe(30);
    });
  });
});

describe('withAdaptiveConcurrency', () => {
  it('wraps a function with one limiter shared by its callers', async () => {
    const limited = withAdaptiveConcurrency({ initialLimit: 1, maxLimit: 1 })(async (n: number) => n + 1);
    expectTypeOf(limited).toEqualTypeOf<(n: number) => Promise<number>>();
    const [first, second] = await Promise.allSettled([limited(1), limited(2)]);
    expect(first).toEqual({ status: 'fulfilled', value: 2 });
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'BULKHEAD_FULL' } });
  });

  it('shares a given limiter and can pass the signal', async () => {
    const limiter = new AdaptiveConcurrencyLimiter();
    await expect(withAdaptiveConcurrency(limiter)(async () => 'ok')()).resolves.toBe('ok');
    const withSignal = withAdaptiveConcurrency({ passSignal: true })(
      async (signal: AbortSignal) => signal instanceof AbortSignal,
    );
    expectTypeOf(withSignal).toEqualTypeOf<() => Promise<boolean>>();
    await expect(withSignal()).resolves.toBe(true);
  });
});

describe('AdaptiveConcurrencyLimiter, one call at a time', () => {
  for (const algorithm of ['aimd', 'gradient2'] as const) {
    it(`lowers the ${algorithm} limit on every drop`, async () => {
      const limiter = new AdaptiveConcurrencyLimiter({ algorithm });
      const limits: number[] = [];
      for (let drop = 0; drop < 5; drop++) {
        await limiter
          .execute(() => Promise.reject(new BulwarkError('TIMEOUT', 'late')))
          .catch(() => undefined);
        limits.push(limiter.limit);
      }
      expect(limits).toEqual([...limits].sort((a, b) => b - a));
      expect(limits[4]).toBeLessThanOrEqual(12);
    });
  }
});
