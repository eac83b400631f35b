import { getEventListeners } from 'node:events';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { BulwarkError, type PolicyContext, systemClock } from '../../src/core/index.js';
import { setMetricsCallbacks } from '../../src/metrics/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import {
  isTimeoutError,
  TimeoutError,
  type TimeoutOptions,
  TimeoutPolicy,
  timeout,
} from '../../src/timeout/index.js';

/** A function whose promise settles only when the test says so. */
function pending<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves with `value` after `ms` on `clock`. */
function resolveAfter<T>(clock: VirtualClock, ms: number, value: T): Promise<T> {
  return new Promise((resolve) => clock.setTimeout(() => resolve(value), ms));
}

describe('TimeoutPolicy', () => {
  it('answers with the value of a call that finishes in time and leaves no timer behind', async () => {
    const clock = new VirtualClock();
    const policy = new TimeoutPolicy({ ms: 100, clock });
    const result = policy.execute(() => resolveAfter(clock, 99, 'in time'));
    await clock.advance(99);
    await expect(result).resolves.toBe('in time');
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects with TimeoutError at the deadline, not before', async () => {
    const clock = new VirtualClock();
    const policy = new TimeoutPolicy({ ms: 100, clock });
    let settled = false;
    const result = policy.execute(() => new Promise(() => undefined));
    result.catch(() => undefined).finally(() => (settled = true));
    await clock.advance(99);
    expect(settled).toBe(false);
    await clock.advance(1);
    const error = await result.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(BulwarkError);
    expect(isTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TIMEOUT', timeoutMs: 100, name: 'TimeoutError' });
    expect((error as Error).message).toBe('Timed out after 100 ms');
    expect(clock.pendingTimers).toBe(0);
  });

  it('aborts the call signal at the deadline with the TimeoutError as its reason', async () => {
    const clock = new VirtualClock();
    let signal: AbortSignal | undefined;
    const result = new TimeoutPolicy({ ms: 50, clock }).execute((context) => {
      signal = context.signal;
      expect(signal.aborted).toBe(false);
      return new Promise(() => undefined);
    });
    const assertion = expect(result).rejects.toSatisfy(isTimeoutError);
    await clock.advance(50);
    await assertion;
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(await result.catch((error: unknown) => error));
  });

  it('gives an aborted signal to a function that reads it only after the deadline', async () => {
    const clock = new VirtualClock();
    let context: PolicyContext | undefined;
    const result = new TimeoutPolicy({ ms: 50, clock }).execute((ctx) => {
      context = ctx;
      return new Promise(() => undefined);
    });
    result.catch(() => undefined);
    await clock.advance(50);
    expect(context?.signal.aborted).toBe(true);
    expect(isTimeoutError(context?.signal.reason)).toBe(true);
    expect(context?.attempt).toBe(1);
  });

  it('uses the message option for the TimeoutError', async () => {
    const clock = new VirtualClock();
    const result = new TimeoutPolicy({ ms: 10, clock, message: 'pricing took too long' }).execute(
      () => new Promise(() => undefined),
    );
    const assertion = expect(result).rejects.toThrow('pricing took too long');
    await clock.advance(10);
    await assertion;
  });

  it('answers a timed-out call with a fallback value', async () => {
    const clock = new VirtualClock();
    const result = new TimeoutPolicy({ ms: 10, clock, fallback: 'cached' }).execute(
      () => new Promise(() => undefined),
    );
    await clock.advance(10);
    await expect(result).resolves.toBe('cached');
  });

  it('answers a timed-out call with a fallback function of the TimeoutError', async () => {
    const clock = new VirtualClock();
    const fallback = vi.fn((error: TimeoutError) => Promise.resolve(`fallback after ${error.timeoutMs} ms`));
    const result = new TimeoutPolicy({ ms: 10, clock, fallback }).execute(() => new Promise(() => undefined));
    await clock.advance(10);
    await expect(result).resolves.toBe('fallback after 10 ms');
    expect(fallback).toHaveBeenCalledOnce();
  });

  it('rejects with what a fallback function throws', async () => {
    const clock = new VirtualClock();
    const failure = new Error('no fallback either');
    const result = new TimeoutPolicy({
      ms: 10,
      clock,
      fallback: () => {
        throw failure;
      },
    }).execute(() => new Promise(() => undefined));
    const assertion = expect(result).rejects.toBe(failure);
    await clock.advance(10);
    await assertion;
  });

  it('does not use the fallback for errors of the call itself', async () => {
    const error = new Error('bad input');
    await expect(
      new TimeoutPolicy({ ms: 10, fallback: 'cached' }).execute(() => Promise.reject(error)),
    ).rejects.toBe(error);
  });

  it('ignores a result or an error arriving after the deadline', async () => {
    const clock = new VirtualClock();
    const policy = new TimeoutPolicy({ ms: 10, clock });
    const late = pending<string>();
    const lateError = pending<string>();
    const first = policy.execute(() => late.promise);
    const second = policy.execute(() => lateError.promise);
    const assertions = Promise.all([
      expect(first).rejects.toSatisfy(isTimeoutError),
      expect(second).rejects.toSatisfy(isTimeoutError),
    ]);
    await clock.advance(10);
    late.resolve('too late');
    lateError.reject(new Error('too late'));
    await assertions;
  });

  it('handles synchronous functions: a value resolves, a throw rejects', async () => {
    const policy = new TimeoutPolicy(100);
    await expect(policy.execute(() => 42)).resolves.toBe(42);
    const error = new Error('sync');
    await expect(
      policy.execute(() => {
        throw error;
      }),
    ).rejects.toBe(error);
  });

  it('never times out with ms Infinity and sets no timer', async () => {
    const clock = new VirtualClock();
    const work = pending<string>();
    const result = new TimeoutPolicy({ ms: Number.POSITIVE_INFINITY, clock }).execute(() => work.promise);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(1e12);
    work.resolve('eventually');
    await expect(result).resolves.toBe('eventually');
  });

  it('serves many pending calls of several policies with one timer, each at its own deadline', async () => {
    const clock = new VirtualClock();
    const short = new TimeoutPolicy({ ms: 100, clock });
    const long = new TimeoutPolicy({ ms: 300, clock });
    const timedOutAt: string[] = [];
    const start = (policy: TimeoutPolicy, label: string) =>
      policy
        .execute(() => new Promise(() => undefined))
        .catch(() => timedOutAt.push(`${label}@${clock.now()}`));
    const calls = [start(long, 'long-a'), start(short, 'short-a')];
    await clock.advance(50);
    calls.push(start(short, 'short-b'), start(long, 'long-b'));
    for (let call = 0; call < 100; call++) short.execute(() => resolveAfter(clock, 10, call));
    expect(clock.pendingTimers).toBe(1 + 100);
    await clock.advance(400);
    await Promise.all(calls);
    expect(timedOutAt).toEqual(['short-a@100', 'short-b@150', 'long-a@300', 'long-b@350']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('times out each call exactly at start + ms, whatever the mix of calls (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            startMs: fc.integer({ min: 0, max: 50 }),
            ms: fc.constantFrom(10, 25, 40),
            takesMs: fc.integer({ min: 1, max: 60 }),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        async (calls) => {
          const clock = new VirtualClock();
          const policies = new Map([10, 25, 40].map((ms) => [ms, new TimeoutPolicy({ ms, clock })]));
          const outcomes: Promise<string>[] = [];
          calls.forEach((call, index) => {
            clock.setTimeout(() => {
              const startedAt = clock.now();
              outcomes[index] = policies
                .get(call.ms)!
                .execute(() => resolveAfter(clock, call.takesMs, 'done'))
                .then(
                  () => `done@${clock.now() - startedAt}`,
                  (error: unknown) =>
                    `${isTimeoutError(error) ? 'timeout' : 'error'}@${clock.now() - startedAt}`,
                );
            }, call.startMs);
          });
          await clock.advance(200);
          const actual = await Promise.all(outcomes);
          calls.forEach((call, index) => {
            // A call finishing exactly at its deadline may go either way.
            if (call.takesMs === call.ms)
              expect(actual[index]).toMatch(new RegExp(`^(done|timeout)@${call.ms}$`));
            else
              expect(actual[index]).toBe(
                call.takesMs < call.ms ? `done@${call.takesMs}` : `timeout@${call.ms}`,
              );
          });
          expect(clock.pendingTimers).toBe(0);
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('TimeoutPolicy context', () => {
  it('logs and serializes as its attempt, not as the deadline list it shares with other calls', async () => {
    const clock = new VirtualClock();
    const policy = new TimeoutPolicy({ ms: 100, clock });
    const work = pending<void>();
    const seen: PolicyContext[] = [];
    const calls = [0, 1, 2].map(() =>
      policy.execute((ctx) => {
        seen.push(ctx);
        return work.promise;
      }),
    );
    expect(JSON.parse(JSON.stringify(seen[1]))).toEqual({ attempt: 1 });
    expect(inspect(seen[1])).toBe('{ attempt: 1 }');
    work.resolve();
    await Promise.all(calls);
  });
});

describe('TimeoutPolicy cancellation', () => {
  it('rejects with the caller signal reason when it aborts first, and aborts the call signal', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    let callSignal: AbortSignal | undefined;
    const result = new TimeoutPolicy({ ms: 1000, clock }).execute(({ signal }) => {
      callSignal = signal;
      return new Promise(() => undefined);
    }, controller.signal);
    await clock.advance(10);
    controller.abort('user cancelled');
    await expect(result).rejects.toBe('user cancelled');
    expect(callSignal?.reason).toBe('user cancelled');
    expect(clock.pendingTimers).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('never calls the function when the caller signal is already aborted', async () => {
    const fn = vi.fn(() => 1);
    await expect(new TimeoutPolicy(100).execute(fn, AbortSignal.abort('late'))).rejects.toBe('late');
    expect(fn).not.toHaveBeenCalled();
  });

  it('leaves no listener on a long-lived caller signal after many calls', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const policy = new TimeoutPolicy({ ms: 50, clock });
    for (let call = 0; call < 500; call++) {
      await policy.execute(async ({ signal }) => (call % 2 === 0 ? signal.aborted : call), controller.signal);
    }
    const slow = Array.from({ length: 100 }, () =>
      policy.execute(
        ({ signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)),
        controller.signal,
      ),
    );
    const settled = Promise.allSettled(slow);
    await clock.advance(50);
    await settled;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('times out on the system clock too', async () => {
    const policy = new TimeoutPolicy({ ms: 5, clock: systemClock });
    await expect(policy.execute(() => new Promise(() => undefined))).rejects.toSatisfy(isTimeoutError);
    await expect(policy.execute(async () => 'quick')).resolves.toBe('quick');
  });
});

describe('TimeoutPolicy metrics', () => {
  it('reports timeouts and completed calls with their outcome', async () => {
    const events: unknown[][] = [];
    const disposable = setMetricsCallbacks({
      timeoutOccurred: (...args) => events.push(['timeoutOccurred', ...args]),
      callCompleted: (...args) => events.push(['callCompleted', ...args]),
    });
    try {
      const clock = new VirtualClock();
      const policy = new TimeoutPolicy({ ms: 100, clock, name: 'search' });
      const slow = policy.execute(() => new Promise(() => undefined)).catch(() => undefined);
      const quick = policy.execute(() => resolveAfter(clock, 30, 'hit'));
      const failing = policy.execute(() =>
        resolveAfter(clock, 20, 0).then(() => Promise.reject(new Error('x'))),
      );
      failing.catch(() => undefined);
      await clock.advance(100);
      await Promise.all([slow, quick]);
      const fallback = new TimeoutPolicy({ ms: 10, clock, name: 'cache', fallback: null });
      const answered = fallback.execute(() => new Promise(() => undefined));
      await clock.advance(10);
      await answered;
    } finally {
      disposable.dispose();
    }
    expect(events).toEqual([
      ['callCompleted', 'timeout', 'search', 'failure', 20],
      ['callCompleted', 'timeout', 'search', 'success', 30],
      ['timeoutOccurred', 'search', 100],
      ['callCompleted', 'timeout', 'search', 'timeout', 100],
      ['timeoutOccurred', 'cache', 10],
      ['callCompleted', 'timeout', 'cache', 'fallback', 10],
    ]);
  });
});

describe('timeout', () => {
  it('infers the result type from the function', () => {
    const result = timeout(async () => ({ ok: true }), 1000);
    expectTypeOf(result).toEqualTypeOf<Promise<{ ok: boolean }>>();
    expectTypeOf(new TimeoutPolicy(10).execute(() => 1)).toEqualTypeOf<Promise<number>>();
  });

  it('runs the function now under a timeout in ms or options', async () => {
    const clock = new VirtualClock();
    const fn = vi.fn(() => new Promise(() => undefined));
    const result = timeout(fn, { ms: 20, clock });
    expect(fn).toHaveBeenCalledOnce();
    const assertion = expect(result).rejects.toMatchObject({ code: 'TIMEOUT', timeoutMs: 20 });
    await clock.advance(20);
    await assertion;
    await expect(timeout(async () => 'fast', 1000)).resolves.toBe('fast');
  });
});

describe('TimeoutOptions validation', () => {
  it.each([
    [0, RangeError, 'TimeoutOptions.ms'],
    [-5, RangeError, 'TimeoutOptions.ms'],
    [Number.NaN, RangeError, 'TimeoutOptions.ms'],
    [{}, TypeError, 'TimeoutOptions.ms'],
    [{ ms: 10, mesage: 'x' }, TypeError, 'no option "mesage" (did you mean "message"?)'],
    [{ ms: 10, clock: {} }, TypeError, 'TimeoutOptions.clock'],
    [{ ms: 10, message: 42 }, TypeError, 'TimeoutOptions.message'],
    ['100', TypeError, 'TimeoutOptions'],
  ])('rejects %o naming the field', (options, ErrorType, text) => {
    expect(() => new TimeoutPolicy(options as TimeoutOptions)).toThrow(ErrorType);
    expect(() => new TimeoutPolicy(options as TimeoutOptions)).toThrow(text);
  });

  it('exposes its timeout and name', () => {
    const policy = new TimeoutPolicy(250);
    expect(policy.timeoutMs).toBe(250);
    expect(policy.name).toBe('timeout');
  });
});

describe('TimeoutPolicy with foreign thenables', () => {
  it('rejects, never throws, when a thenable throws from then()', async () => {
    const thenable = {
      // biome-ignore lint/suspicious/noThenProperty: a deliberately broken thenable
      then() {
        throw new Error('broken thenable');
      },
    };
    const result = new TimeoutPolicy(100).execute(() => thenable as unknown as PromiseLike<number>);
    await expect(result).rejects.toThrow('broken thenable');
  });
});

describe('TimeoutPolicy on the system clock', () => {
  it('works with vitest fake timers', async () => {
    vi.useFakeTimers();
    try {
      const policy = new TimeoutPolicy(100);
      const slow = policy.execute(() => new Promise(() => undefined));
      const assertion = expect(slow).rejects.toSatisfy(isTimeoutError);
      await vi.advanceTimersByTimeAsync(99);
      await expect(policy.execute(async () => 'quick')).resolves.toBe('quick');
      await vi.advanceTimersByTimeAsync(1);
      await assertion;
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('TimeoutPolicy across fake and real timers', () => {
  it('still times out with real timers after a call finished under fake timers', async () => {
    const policy = new TimeoutPolicy(5);
    vi.useFakeTimers();
    try {
      await expect(policy.execute(async () => 'quick')).resolves.toBe('quick');
    } finally {
      vi.useRealTimers();
    }
    await expect(policy.execute(() => new Promise(() => undefined))).rejects.toSatisfy(isTimeoutError);
  });
});
