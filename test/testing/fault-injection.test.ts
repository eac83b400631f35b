import { getEventListeners } from 'node:events';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { pipeline } from '../../src/core/index.js';
import { FallbackPolicy } from '../../src/fallback/index.js';
import {
  FaultInjectionPolicy,
  InjectedFaultError,
  injectFault,
  injectLatency,
  isInjectedFaultError,
  LatencyInjectionPolicy,
  VirtualClock,
  withInjectedFault,
  withInjectedLatency,
} from '../../src/testing/index.js';

/** A random source that returns the given numbers in turn. */
const sequence = (...values: number[]) => {
  let index = 0;
  return () => values[index++ % values.length]!;
};

describe('injectFault', () => {
  it('fails the chosen fraction of calls without running them', async () => {
    const policy = injectFault({ rate: 0.5, random: sequence(0.1, 0.9) });
    expect(policy).toBeInstanceOf(FaultInjectionPolicy);
    let ran = 0;
    const fn = () => ++ran;
    await expect(policy.execute(fn)).rejects.toBeInstanceOf(InjectedFaultError);
    await expect(policy.execute(fn)).resolves.toBe(1);
    expect(ran).toBe(1);
    expect(policy.injected).toBe(1);
  });

  it('throws the given error value, error class or built error', async () => {
    const value = new RangeError('fixed');
    await expect(injectFault({ rate: 1, error: value }).execute(() => 1)).rejects.toBe(value);
    await expect(injectFault({ rate: 1, error: TypeError }).execute(() => 1)).rejects.toBeInstanceOf(
      TypeError,
    );
    const built = injectFault({ rate: 1, error: ({ attempt }: { attempt: number }) => `attempt ${attempt}` });
    await expect(built.execute(() => 1)).rejects.toBe('attempt 1');
    const error = await injectFault({ rate: 1 })
      .execute(() => 1)
      .catch((caught: unknown) => caught);
    expect(isInjectedFaultError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'INJECTED_FAULT' });
  });

  it('never fails at rate 0 and always fails at rate 1', async () => {
    const never = injectFault({ rate: 0 });
    const always = injectFault({ rate: 1 });
    for (let index = 0; index < 100; index++) {
      await expect(never.execute(() => index)).resolves.toBe(index);
      await expect(always.execute(() => index)).rejects.toBeInstanceOf(InjectedFaultError);
    }
  });

  it('replays the same faults from the same seed, close to the rate', () => {
    const pattern = (seed: number) => {
      const maybeFail = withInjectedFault({ rate: 0.3, seed })(() => 0);
      return Array.from({ length: 1000 }, () => {
        try {
          return maybeFail();
        } catch {
          return 1;
        }
      });
    };
    const first = pattern(42);
    expect(pattern(42)).toEqual(first);
    expect(pattern(43)).not.toEqual(first);
    const failures = first.reduce((sum: number, value) => sum + value, 0);
    expect(failures).toBeGreaterThan(250);
    expect(failures).toBeLessThan(350);
  });

  it('rehearses a fallback inside a pipeline', async () => {
    const resilient = pipeline(new FallbackPolicy('cached'), injectFault({ rate: 1 }));
    await expect(resilient.execute(() => 'live')).resolves.toBe('cached');
  });

  it('rejects with signal.reason when the signal is already aborted', async () => {
    const reason = new Error('stop');
    await expect(injectFault({ rate: 0 }).execute(() => 1, AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('validates its options', () => {
    expect(() => injectFault({} as never)).toThrow(/FaultInjectionOptions\.rate is required/);
    expect(() => injectFault({ rate: 2 })).toThrow(RangeError);
    expect(() => injectFault({ rate: 2 })).toThrow(/FaultInjectionOptions\.rate/);
    expect(() => injectFault({ rate: 0.1, rat: 1 } as never)).toThrow(/no option "rat"/);
    expect(() => injectFault({ rate: 0.1, seed: 1, random: Math.random })).toThrow(/either random or seed/);
  });
});

describe('withInjectedFault', () => {
  it('keeps a synchronous function synchronous', () => {
    const always = withInjectedFault({ rate: 1 })((n: number) => n * 2);
    const never = withInjectedFault({ rate: 0 })((n: number) => n * 2);
    expectTypeOf(never).toEqualTypeOf<(n: number) => number>();
    expect(never(4)).toBe(8);
    expect(() => always(4)).toThrow(InjectedFaultError);
  });
});

describe('injectLatency', () => {
  it('delays the chosen fraction of calls by ms on the clock', async () => {
    const clock = new VirtualClock();
    const policy = injectLatency({ rate: 0.5, ms: 200, clock, random: sequence(0.2, 0.8) });
    expect(policy).toBeInstanceOf(LatencyInjectionPolicy);
    const startedAt: number[] = [];
    const fn = () => {
      startedAt.push(clock.now());
      return 'done';
    };
    const delayed = policy.execute(fn);
    const direct = policy.execute(fn);
    await expect(direct).resolves.toBe('done');
    expect(startedAt).toEqual([0]);
    await clock.advance(199);
    expect(startedAt).toEqual([0]);
    await clock.advance(1);
    await expect(delayed).resolves.toBe('done');
    expect(startedAt).toEqual([0, 200]);
    expect(policy.injected).toBe(1);
  });

  it('ends the delay at once with signal.reason and leaves no timer or listener', async () => {
    const clock = new VirtualClock();
    const policy = injectLatency({ rate: 1, ms: 1000, clock });
    const controller = new AbortController();
    let ran = false;
    const delayed = policy.execute(() => {
      ran = true;
    }, controller.signal);
    const reason = new Error('cancel');
    controller.abort(reason);
    await expect(delayed).rejects.toBe(reason);
    expect(ran).toBe(false);
    expect(clock.pendingTimers).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('validates its options', () => {
    expect(() => injectLatency({ rate: 1 } as never)).toThrow(/LatencyInjectionOptions\.ms is required/);
    expect(() => injectLatency({ rate: 1, ms: -1 })).toThrow(/LatencyInjectionOptions\.ms/);
    expect(() => injectLatency({ rate: 1, ms: 1, clock: Date } as never)).toThrow(/clock/);
  });
});

describe('withInjectedLatency', () => {
  it('delays a wrapped function', async () => {
    const clock = new VirtualClock();
    const slow = withInjectedLatency({ rate: 1, ms: 50, clock })(async (n: number) => n + 1);
    expectTypeOf(slow).toEqualTypeOf<(n: number) => Promise<number>>();
    const result = slow(1);
    await clock.advance(50);
    await expect(result).resolves.toBe(2);
  });
});
