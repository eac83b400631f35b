import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { HedgePolicy, isHedgeLostError, withHedge } from '../../src/hedge/index.js';
import { setMetricsCallbacks } from '../../src/metrics/index.js';
import { VirtualClock } from '../../src/testing/index.js';

/** A call that answers after `ms` on the clock, with `value` or by throwing `error`. */
function answerAfter<T>(clock: VirtualClock, ms: number, outcome: { value?: T; error?: unknown }) {
  return new Promise<T>((resolve, reject) => {
    clock.setTimeout(
      () => (outcome.error === undefined ? resolve(outcome.value as T) : reject(outcome.error)),
      ms,
    );
  });
}

let restoreMetrics: { dispose(): void } | undefined;
afterEach(() => restoreMetrics?.dispose());

describe('HedgePolicy', () => {
  it('does not hedge a call that answers within delayMs', async () => {
    const clock = new VirtualClock();
    const hedge = new HedgePolicy({ delayMs: 100, clock });
    const attempts: number[] = [];
    const result = hedge.execute(({ attempt }) => {
      attempts.push(attempt);
      return answerAfter(clock, 50, { value: 'fast' });
    });
    await clock.advance(50);
    await expect(result).resolves.toBe('fast');
    expect(attempts).toEqual([1]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('starts a second attempt when the first is slow, takes the first success and aborts the rest', async () => {
    const clock = new VirtualClock();
    const hedge = new HedgePolicy({ delayMs: 100, clock });
    const signals: AbortSignal[] = [];
    const result = hedge.execute(({ attempt, signal }) => {
      signals.push(signal);
      return answerAfter(clock, attempt === 1 ? 1000 : 30, { value: `attempt ${attempt}` });
    });
    await clock.advance(99);
    expect(signals).toHaveLength(1);
    await clock.advance(31);
    await expect(result).resolves.toBe('attempt 2');
    expect(signals).toHaveLength(2);
    expect(signals[0]!.aborted).toBe(true);
    expect(isHedgeLostError(signals[0]!.reason)).toBe(true);
    expect(signals[0]!.reason).toMatchObject({ code: 'HEDGE_LOST' });
    expect(signals[1]!.aborted).toBe(false);
    expect(signals[0]).not.toBe(signals[1]);
  });

  it('defaults maxHedgedAttempts to 1', async () => {
    const clock = new VirtualClock();
    const hedge = new HedgePolicy({ delayMs: 10, clock });
    expect(hedge.maxHedgedAttempts).toBe(1);
    let started = 0;
    const result = hedge.execute(() => {
      started++;
      return answerAfter(clock, 1000, { value: started });
    });
    await clock.advance(500);
    expect(started).toBe(2);
    await clock.advance(500);
    // The first attempt answers first (at 1000 ms, the hedge at 1010 ms), so it wins.
    await expect(result).resolves.toBe(1);
    expect(started).toBe(2);
  });

  it('starts up to maxHedgedAttempts extra attempts, one per delay', async () => {
    const clock = new VirtualClock();
    const hedge = new HedgePolicy({ delayMs: 10, maxHedgedAttempts: 3, clock });
    const startedAt: number[] = [];
    const result = hedge.execute(({ attempt }) => {
      startedAt.push(clock.now());
      return answerAfter(clock, attempt === 4 ? 5 : 1000, { value: attempt });
    });
    await clock.advance(35);
    await expect(result).resolves.toBe(4);
    expect(startedAt).toEqual([0, 10, 20, 30]);
  });

  it('starts every attempt at once when delayMs is 0', async () => {
    const clock = new VirtualClock();
    const hedge = new HedgePolicy({ delayMs: 0, maxHedgedAttempts: 2, clock });
    const attempts: number[] = [];
    const result = hedge.execute(({ attempt }) => {
      attempts.push(attempt);
      return answerAfter(clock, 100 - attempt * 10, { value: attempt });
    });
    expect(attempts).toEqual([1, 2, 3]);
    await clock.advance(70);
    await expect(result).resolves.toBe(3);
  });

  it('keeps waiting for a slow attempt when a hedge fails, and fails only when all fail', async () => {
    const clock = new VirtualClock();
    const hedge = new HedgePolicy({ delayMs: 100, clock });
    const slowFirst = hedge.execute(({ attempt }) =>
      attempt === 1
        ? answerAfter(clock, 300, { value: 'first' })
        : answerAfter(clock, 10, { error: new Error('hedge') }),
    );
    await clock.advance(300);
    await expect(slowFirst).resolves.toBe('first');

    const errors = [new Error('one'), new Error('two')];
    const allFail = hedge.execute(({ attempt }) => answerAfter(clock, 150, { error: errors[attempt - 1] }));
    const settledAt: number[] = [];
    allFail.catch(() => settledAt.push(clock.now()));
    await clock.advance(150);
    expect(settledAt).toEqual([]);
    await clock.advance(100);
    await expect(allFail).rejects.toBe(errors[1]);
    expect(settledAt).toEqual([300 + 250]);
  });

  it('starts the next attempt at once when one fails before its delay', async () => {
    const clock = new VirtualClock();
    const hedge = new HedgePolicy({ delayMs: 100, clock });
    const startedAt: number[] = [];
    const result = hedge.execute(({ attempt }) => {
      startedAt.push(clock.now());
      if (attempt === 1) throw new Error('sync failure');
      return answerAfter(clock, 20, { value: 'second' });
    });
    await clock.advance(20);
    await expect(result).resolves.toBe('second');
    expect(startedAt).toEqual([0, 0]);
  });

  it('aborts every attempt with signal.reason and removes its listener when the caller aborts', async () => {
    const clock = new VirtualClock();
    const hedge = new HedgePolicy({ delayMs: 10, clock });
    const controller = new AbortController();
    const signals: AbortSignal[] = [];
    const result = hedge.execute(({ signal }) => {
      signals.push(signal);
      return new Promise<never>(() => undefined);
    }, controller.signal);
    await clock.advance(10);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('cancelled');
    controller.abort(reason);
    await expect(result).rejects.toBe(reason);
    expect(signals.map((signal) => signal.reason)).toEqual([reason, reason]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects with signal.reason without starting when the signal is already aborted', async () => {
    const hedge = new HedgePolicy({ delayMs: 10, clock: new VirtualClock() });
    const reason = new Error('early');
    let started = false;
    await expect(
      hedge.execute(() => {
        started = true;
      }, AbortSignal.abort(reason)),
    ).rejects.toBe(reason);
    expect(started).toBe(false);
  });

  it('leaves no listener on a long-lived signal after many calls', async () => {
    const hedge = new HedgePolicy({ delayMs: 1000 });
    const controller = new AbortController();
    for (let index = 0; index < 50; index++) await hedge.execute(async () => index, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('reports the outcome through the metrics callbacks', async () => {
    const clock = new VirtualClock();
    const completed: string[] = [];
    restoreMetrics = setMetricsCallbacks({
      callCompleted: (policy, name, outcome, durationMs) =>
        completed.push(`${policy}/${name}/${outcome}/${durationMs}`),
    });
    const hedge = new HedgePolicy({ delayMs: 10, clock, name: 'replicas' });
    const result = hedge.execute(({ attempt }) => answerAfter(clock, attempt === 1 ? 100 : 5, { value: 1 }));
    await clock.advance(15);
    await result;
    expect(completed).toEqual(['hedge/replicas/success/15']);
  });

  describe('configuration', () => {
    it('requires delayMs and rejects invalid values and unknown keys', () => {
      expect(() => new HedgePolicy({} as never)).toThrow(/HedgeOptions\.delayMs is required/);
      expect(() => new HedgePolicy({ delayMs: -1 })).toThrow(RangeError);
      expect(() => new HedgePolicy({ delayMs: 5, maxHedgedAttempts: 1.5 })).toThrow(
        /HedgeOptions\.maxHedgedAttempts/,
      );
      expect(() => new HedgePolicy({ delayMs: 5, maxAttempts: 2 } as never)).toThrow(
        /no option "maxAttempts"/,
      );
    });
  });
});

describe('withHedge', () => {
  it('hedges a wrapped function and passes each attempt its own signal', async () => {
    const clock = new VirtualClock();
    const seen: AbortSignal[] = [];
    let calls = 0;
    const lookup = withHedge({ delayMs: 20, passSignal: true, clock })((key: string, signal: AbortSignal) => {
      seen.push(signal);
      calls++;
      return answerAfter(clock, calls === 1 ? 500 : 10, { value: `${key}#${calls}` });
    });
    expectTypeOf(lookup).toEqualTypeOf<(key: string) => Promise<string>>();
    const result = lookup('k');
    await clock.advance(30);
    await expect(result).resolves.toBe('k#2');
    expect(seen[0]!.aborted).toBe(true);
    expect(seen[1]!.aborted).toBe(false);
  });

  it('shares a given HedgePolicy and keeps the signature without passSignal', async () => {
    const policy = new HedgePolicy({ delayMs: 50 });
    const double = withHedge(policy)(async (n: number) => n * 2);
    expectTypeOf(double).toEqualTypeOf<(n: number) => Promise<number>>();
    await expect(double(21)).resolves.toBe(42);
    expect(() => withHedge({ delayMs: 5, passSignal: 1 } as never)).toThrow(/passSignal/);
  });
});
