import { getEventListeners, setMaxListeners } from 'node:events';
import fc from 'fast-check';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  Bulkhead,
  BulkheadRejectedError,
  BulkheadRejectionReason,
  isBulkheadRejectedError,
  withBulkhead,
} from '../../src/bulkhead/index.js';
import { isBulwarkError } from '../../src/core/index.js';
import { type MetricsCallbacks, setMetricsCallbacks } from '../../src/metrics/index.js';
import { VirtualClock } from '../../src/testing/index.js';

/** A function whose calls stay pending until released by hand. */
function gate<T = string>() {
  const pending: Array<{ resolve: (value: T) => void; reject: (error: unknown) => void }> = [];
  let started = 0;
  const fn = () =>
    new Promise<T>((resolve, reject) => {
      started++;
      pending.push({ resolve, reject });
    });
  return {
    fn,
    get started() {
      return started;
    },
    release(value: T) {
      pending.shift()?.resolve(value);
    },
    fail(error: unknown) {
      pending.shift()?.reject(error);
    },
  };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

let restoreMetrics: { dispose(): void } | undefined;
afterEach(() => restoreMetrics?.dispose());

describe('Bulkhead', () => {
  it('runs up to maxConcurrent calls at once and refuses the next when there is no queue', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 2 });
    const work = gate();
    const first = bulkhead.execute(work.fn);
    const second = bulkhead.execute(work.fn);
    const third = bulkhead.execute(work.fn);
    await expect(third).rejects.toBeInstanceOf(BulkheadRejectedError);
    expect(work.started).toBe(2);
    expect(bulkhead.getStats()).toEqual({ active: 2, queued: 0, rejected: 1 });
    work.release('a');
    work.release('b');
    await expect(Promise.all([first, second])).resolves.toEqual(['a', 'b']);
    expect(bulkhead.getStats()).toEqual({ active: 0, queued: 0, rejected: 1 });
  });

  it('defaults maxQueue to 0 and names itself "bulkhead"', () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 3 });
    expect(bulkhead.maxQueue).toBe(0);
    expect(bulkhead.queueTimeoutMs).toBeUndefined();
    expect(bulkhead.name).toBe('bulkhead');
    expect(new Bulkhead(5).maxConcurrent).toBe(5);
  });

  it('rejects with code BULKHEAD_FULL, its name and limit, and no stack trace', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, name: 'db' });
    const work = gate();
    const running = bulkhead.execute(work.fn);
    const error = await bulkhead.execute(work.fn).catch((caught: unknown) => caught);
    expect(isBulkheadRejectedError(error)).toBe(true);
    expect(isBulwarkError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'BULKHEAD_FULL',
      name: 'BulkheadRejectedError',
      bulkheadName: 'db',
      maxConcurrent: 1,
      reason: BulkheadRejectionReason.FULL,
    });
    expect((error as Error).stack ?? '').not.toMatch(/\n\s+at /);
    expect(isBulkheadRejectedError(new Error('BULKHEAD_FULL'))).toBe(false);
    work.release('done');
    await running;
  });

  it('queues calls first in first out and starts each when a slot frees', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 2 });
    const order: string[] = [];
    const work = gate();
    const first = bulkhead.execute(work.fn);
    const second = bulkhead.execute(async () => {
      order.push('second');
      return 'second';
    });
    const third = bulkhead.execute(async () => {
      order.push('third');
      return 'third';
    });
    await expect(bulkhead.execute(work.fn)).rejects.toMatchObject({ reason: 'full' });
    expect(bulkhead.getStats()).toEqual({ active: 1, queued: 2, rejected: 1 });
    work.release('first');
    await expect(Promise.all([first, second, third])).resolves.toEqual(['first', 'second', 'third']);
    expect(order).toEqual(['second', 'third']);
    expect(bulkhead.getStats()).toEqual({ active: 0, queued: 0, rejected: 1 });
  });

  it('frees the slot when the call fails', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1 });
    const boom = new Error('boom');
    await expect(
      bulkhead.execute(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect(bulkhead.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    await expect(bulkhead.execute(() => 'ok')).resolves.toBe('ok');
    expect(bulkhead.getStats().active).toBe(0);
  });

  it('rejects a queued call with code BULKHEAD_FULL once queueTimeoutMs passes on the clock', async () => {
    const clock = new VirtualClock();
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 5, queueTimeoutMs: 100, clock });
    const work = gate();
    const running = bulkhead.execute(work.fn);
    const early = bulkhead.execute(() => 'early').catch((error: unknown) => error);
    await clock.advance(40);
    const late = bulkhead.execute(() => 'late').catch((error: unknown) => error);
    await clock.advance(59);
    expect(bulkhead.getStats().queued).toBe(2);
    await clock.advance(1);
    expect(await early).toMatchObject({ code: 'BULKHEAD_FULL', reason: 'queue_timeout' });
    expect(bulkhead.getStats()).toEqual({ active: 1, queued: 1, rejected: 1 });
    await clock.advance(40);
    expect(await late).toMatchObject({ reason: BulkheadRejectionReason.QUEUE_TIMEOUT });
    expect(clock.pendingTimers).toBe(0);
    work.release('done');
    await running;
  });

  it('uses one timer for the whole queue and clears it when the queue empties', async () => {
    const clock = new VirtualClock();
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 10, queueTimeoutMs: 1000, clock });
    const work = gate();
    const running = bulkhead.execute(work.fn);
    const queued = Array.from({ length: 5 }, (_, index) => bulkhead.execute(async () => index));
    expect(clock.pendingTimers).toBe(1);
    work.release('done');
    await expect(Promise.all(queued)).resolves.toEqual([0, 1, 2, 3, 4]);
    await running;
    expect(clock.pendingTimers).toBe(0);
  });

  it('drops an aborted queued call at once with signal.reason and removes its listener', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const work = gate();
    const running = bulkhead.execute(work.fn);
    const controller = new AbortController();
    let ran = false;
    const queued = bulkhead.execute(() => {
      ran = true;
    }, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(bulkhead.getStats()).toEqual({ active: 1, queued: 0, rejected: 0 });
    // The freed queue room is usable at once.
    const next = bulkhead.execute(async () => 'next');
    work.release('done');
    await expect(next).resolves.toBe('next');
    await running;
    expect(ran).toBe(false);
  });

  it('rejects with signal.reason without running when the signal is already aborted', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1 });
    const reason = new Error('already');
    let ran = false;
    await expect(
      bulkhead.execute(() => {
        ran = true;
      }, AbortSignal.abort(reason)),
    ).rejects.toBe(reason);
    expect(ran).toBe(false);
    expect(bulkhead.getStats()).toEqual({ active: 0, queued: 0, rejected: 0 });
  });

  it('leaves no listener on a long-lived signal after many calls', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 2, maxQueue: 100 });
    const controller = new AbortController();
    setMaxListeners(100, controller.signal);
    await Promise.all(
      Array.from({ length: 50 }, (_, index) => bulkhead.execute(async () => index, controller.signal)),
    );
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('passes the caller signal and attempt 1 to the function', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1 });
    const controller = new AbortController();
    const context = await bulkhead.execute((ctx) => ctx, controller.signal);
    expect(context.signal).toBe(controller.signal);
    expect(context.attempt).toBe(1);
  });

  it('reports occupancy and outcomes through the metrics callbacks', async () => {
    const clock = new VirtualClock();
    const changes: Array<[string, number, number]> = [];
    const completed: Array<[string, string, string, number]> = [];
    const callbacks: Partial<MetricsCallbacks> = {
      bulkheadChanged: (name, active, queued) => changes.push([name, active, queued]),
      callCompleted: (policy, name, outcome, durationMs) =>
        completed.push([policy, name, outcome, durationMs]),
    };
    restoreMetrics = setMetricsCallbacks(callbacks);
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 1, name: 'db', clock });
    const work = gate();
    const running = bulkhead.execute(work.fn);
    const queued = bulkhead.execute(async () => 'queued');
    await bulkhead.execute(work.fn).catch(() => undefined);
    await clock.advance(25);
    work.release('done');
    await Promise.all([running, queued]);
    expect(changes).toEqual([
      ['db', 1, 0],
      ['db', 1, 1],
      ['db', 1, 0],
      ['db', 0, 0],
    ]);
    expect(completed).toEqual([
      ['bulkhead', 'db', 'rejected', 0],
      ['bulkhead', 'db', 'success', 25],
      ['bulkhead', 'db', 'success', 25],
    ]);
  });

  it('never runs more than maxConcurrent calls nor queues more than maxQueue (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.constantFrom('call', 'finish', 'abort'), { maxLength: 40 }),
        async (maxConcurrent, maxQueue, steps) => {
          const bulkhead = new Bulkhead({ maxConcurrent, maxQueue });
          const running: Array<() => void> = [];
          const controllers: AbortController[] = [];
          let inFlight = 0;
          let peak = 0;
          const settled: Promise<unknown>[] = [];
          for (const step of steps) {
            if (step === 'call') {
              const controller = new AbortController();
              controllers.push(controller);
              settled.push(
                bulkhead
                  .execute(
                    () =>
                      new Promise<void>((resolve) => {
                        inFlight++;
                        peak = Math.max(peak, inFlight);
                        running.push(() => {
                          inFlight--;
                          resolve();
                        });
                      }),
                    controller.signal,
                  )
                  .catch(() => undefined),
              );
            } else if (step === 'finish') running.shift()?.();
            else controllers.shift()?.abort(new Error('abort'));
            await flush();
            const stats = bulkhead.getStats();
            expect(stats.active).toBeLessThanOrEqual(maxConcurrent);
            expect(stats.queued).toBeLessThanOrEqual(maxQueue);
            expect(stats.active).toBe(inFlight);
          }
          while (running.length > 0) {
            running.shift()?.();
            await flush();
          }
          await Promise.all(settled);
          expect(peak).toBeLessThanOrEqual(maxConcurrent);
          expect(bulkhead.getStats()).toMatchObject({ active: 0, queued: 0 });
        },
      ),
      { numRuns: 60 },
    );
  });

  describe('configuration', () => {
    it('requires maxConcurrent', () => {
      expect(() => new Bulkhead({} as never)).toThrow(/BulkheadOptions\.maxConcurrent is required/);
    });

    it('rejects invalid values naming the field', () => {
      expect(() => new Bulkhead({ maxConcurrent: 0 })).toThrow(RangeError);
      expect(() => new Bulkhead({ maxConcurrent: 0 })).toThrow(/BulkheadOptions\.maxConcurrent/);
      expect(() => new Bulkhead({ maxConcurrent: 1, maxQueue: -1 })).toThrow(/BulkheadOptions\.maxQueue/);
      expect(() => new Bulkhead({ maxConcurrent: 1, maxQueue: 1.5 })).toThrow(RangeError);
      expect(() => new Bulkhead({ maxConcurrent: 1, queueTimeoutMs: -5 })).toThrow(
        /BulkheadOptions\.queueTimeoutMs/,
      );
      expect(() => new Bulkhead({ maxConcurrent: 1, name: '' })).toThrow(TypeError);
      expect(() => new Bulkhead({ maxConcurrent: 1, clock: {} as never })).toThrow(/BulkheadOptions\.clock/);
    });

    it('rejects unknown keys with a suggestion', () => {
      expect(() => new Bulkhead({ maxConcurrent: 1, maxQueu: 3 } as never)).toThrow(
        /no option "maxQueu" \(did you mean "maxQueue"\?\)/,
      );
    });

    it('accepts an unbounded queue and an infinite queue timeout', () => {
      const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: Infinity, queueTimeoutMs: Infinity });
      expect(bulkhead.maxQueue).toBe(Infinity);
      expect(bulkhead.queueTimeoutMs).toBeUndefined();
    });
  });
});

describe('withBulkhead', () => {
  it('wraps a function with one bulkhead shared by its callers', async () => {
    const work = gate<number>();
    const limited = withBulkhead({ maxConcurrent: 1 })((id: number) => work.fn().then((value) => value + id));
    expectTypeOf(limited).toEqualTypeOf<(id: number) => Promise<number>>();
    const first = limited(1);
    await expect(limited(2)).rejects.toBeInstanceOf(BulkheadRejectedError);
    work.release(10);
    await expect(first).resolves.toBe(11);
  });

  it('shares a given Bulkhead between functions', async () => {
    const shared = new Bulkhead({ maxConcurrent: 1 });
    const work = gate();
    const a = withBulkhead(shared)(work.fn);
    const b = withBulkhead(shared)(async () => 'b');
    const running = a();
    await expect(b()).rejects.toMatchObject({ code: 'BULKHEAD_FULL' });
    work.release('a');
    await running;
    await expect(b()).resolves.toBe('b');
  });

  it('appends the call signal when passSignal is true', async () => {
    const withSignal = withBulkhead({ maxConcurrent: 1, passSignal: true })(
      async (id: string, signal: AbortSignal) => `${id}:${signal instanceof AbortSignal}`,
    );
    expectTypeOf(withSignal).toEqualTypeOf<(id: string) => Promise<string>>();
    await expect(withSignal('x')).resolves.toBe('x:true');
  });

  it('validates its options', () => {
    expect(() => withBulkhead({ maxConcurrent: 1, passSignal: 'yes' } as never)).toThrow(/passSignal/);
    expect(() => withBulkhead({ maxConcurrent: -1 })).toThrow(RangeError);
    expect(() => withBulkhead(2)).not.toThrow();
  });
});
