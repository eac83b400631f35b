import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { BulwarkError, isBulwarkError } from '../../src/core/index.js';
import { setMetricsCallbacks } from '../../src/metrics/index.js';
import {
  isRetryExhaustedError,
  type RetryConfig,
  type RetryEvent,
  RetryExhaustedError,
  RetryPolicy,
  retry,
} from '../../src/retry/index.js';
import { VirtualClock } from '../../src/testing/index.js';

/** Runs `policy` on a function that fails `failures` times, recording when each attempt started. */
function flaky(clock: VirtualClock, failures: number, error: unknown = new Error('unavailable')) {
  const startedAt: number[] = [];
  const attempts: number[] = [];
  const fn = ({ attempt }: { attempt: number }) => {
    startedAt.push(clock.now());
    attempts.push(attempt);
    if (startedAt.length <= failures) throw error;
    return `ok after ${startedAt.length}`;
  };
  return { fn, startedAt, attempts };
}

function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((time, index) => time - times[index]!);
}

async function runFailing(
  config: RetryConfig & { clock: VirtualClock },
  failures = Number.POSITIVE_INFINITY,
) {
  const { fn, startedAt } = flaky(config.clock, failures);
  const outcome = new RetryPolicy(config).execute(fn).then(
    (value): { value?: string; error?: unknown } => ({ value }),
    (error: unknown) => ({ error }),
  );
  await config.clock.advance(1_000_000);
  return { ...(await outcome), startedAt, delays: gaps(startedAt) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('RetryPolicy', () => {
  it('makes 1 + 3 attempts by default and then rejects with RetryExhaustedError', async () => {
    const clock = new VirtualClock();
    const lastError = new Error('still down');
    let calls = 0;
    const result = new RetryPolicy({ clock }).execute(() => {
      calls++;
      throw calls === 4 ? lastError : new Error('down');
    });
    const assertion = expect(result).rejects.toSatisfy((error: unknown) => {
      expect(error).toBeInstanceOf(RetryExhaustedError);
      expect(error).toBeInstanceOf(BulwarkError);
      expect(isRetryExhaustedError(error)).toBe(true);
      const exhausted = error as RetryExhaustedError;
      expect(exhausted.code).toBe('RETRY_EXHAUSTED');
      expect(exhausted.attempts).toBe(4);
      expect(exhausted.cause).toBe(lastError);
      expect(exhausted.message).toContain('still down');
      return true;
    });
    await clock.advance(10_000);
    await assertion;
    expect(calls).toBe(4);
    expect(clock.pendingTimers).toBe(0);
  });

  it('returns the value of the first attempt that succeeds', async () => {
    const clock = new VirtualClock();
    const { fn, attempts } = flaky(clock, 2);
    const result = new RetryPolicy({ clock }).execute(fn);
    await clock.advance(1000);
    await expect(result).resolves.toBe('ok after 3');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('waits base × 2^(n-1) between exponential attempts without jitter', async () => {
    const { delays, error } = await runFailing({ clock: new VirtualClock(), jitter: false, maxRetries: 4 });
    expect(delays).toEqual([100, 200, 400, 800]);
    expect((error as RetryExhaustedError).attempts).toBe(5);
  });

  it('waits base × n between linear attempts', async () => {
    const { delays } = await runFailing({ clock: new VirtualClock(), jitter: false, strategy: 'linear' });
    expect(delays).toEqual([100, 200, 300]);
  });

  it('waits base between constant attempts', async () => {
    const { delays } = await runFailing({
      clock: new VirtualClock(),
      jitter: false,
      strategy: 'constant',
      baseDelayMs: 40,
    });
    expect(delays).toEqual([40, 40, 40]);
  });

  it('caps every delay at maxDelayMs', async () => {
    const { delays } = await runFailing({
      clock: new VirtualClock(),
      jitter: false,
      maxRetries: 5,
      maxDelayMs: 250,
    });
    expect(delays).toEqual([100, 200, 250, 250, 250]);
  });

  it('draws each decorrelated delay between base and three times the previous one, up to the cap', async () => {
    for (let run = 0; run < 20; run++) {
      const { delays } = await runFailing({
        clock: new VirtualClock(),
        strategy: 'decorrelated',
        maxRetries: 6,
        maxDelayMs: 2000,
      });
      let previous = 100;
      for (const delay of delays) {
        expect(delay).toBeGreaterThanOrEqual(100);
        expect(delay).toBeLessThanOrEqual(Math.min(2000, previous * 3));
        previous = delay;
      }
    }
  });

  it('follows the decorrelated upper bound, 3 × previous, without jitter', async () => {
    const { delays } = await runFailing({
      clock: new VirtualClock(),
      strategy: 'decorrelated',
      jitter: false,
      maxRetries: 4,
      maxDelayMs: 5000,
    });
    expect(delays).toEqual([300, 900, 2700, 5000]);
  });

  it('keeps jittered delays of exponential, linear and constant within [d/2, d]', async () => {
    for (const strategy of ['exponential', 'linear', 'constant'] as const) {
      for (let run = 0; run < 10; run++) {
        const { delays } = await runFailing({ clock: new VirtualClock(), strategy, maxRetries: 4 });
        delays.forEach((delay, index) => {
          const nominal = { exponential: 100 * 2 ** index, linear: 100 * (index + 1), constant: 100 }[
            strategy
          ];
          expect(delay).toBeGreaterThanOrEqual(nominal / 2);
          expect(delay).toBeLessThanOrEqual(nominal);
        });
      }
    }
  });

  it('jitters with equal jitter: d/2 + random × d/2', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    expect((await runFailing({ clock: new VirtualClock() })).delays).toEqual([50, 100, 200]);
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    expect((await runFailing({ clock: new VirtualClock() })).delays).toEqual([75, 150, 300]);
  });

  it('uses a strategy function with the retry number and the error, capped but not jittered', async () => {
    const calls: [number, unknown][] = [];
    const error = new Error('busy');
    const clock = new VirtualClock();
    const { fn, startedAt } = flaky(clock, 3, error);
    const result = new RetryPolicy({
      clock,
      maxDelayMs: 500,
      strategy: (attempt, cause) => {
        calls.push([attempt, cause]);
        return attempt * 300;
      },
    }).execute(fn);
    await clock.advance(10_000);
    await expect(result).resolves.toBe('ok after 4');
    expect(calls).toEqual([
      [1, error],
      [2, error],
      [3, error],
    ]);
    expect(gaps(startedAt)).toEqual([300, 500, 500]);
  });

  it('rejects with a RangeError naming the strategy when it returns no valid delay', async () => {
    const clock = new VirtualClock();
    const result = new RetryPolicy({ clock, strategy: () => Number.NaN }).execute(() => {
      throw new Error('down');
    });
    await expect(result).rejects.toThrow(/RetryConfig\.strategy must return a delay/);
  });

  it('numbers onRetry and retryIf as the SPEC says: retries from 1, failed attempts from 1', async () => {
    const clock = new VirtualClock();
    const onRetry: RetryEvent[] = [];
    const retryIf: number[] = [];
    const error = new Error('down');
    const result = new RetryPolicy({
      clock,
      jitter: false,
      maxRetries: 2,
      onRetry: (event) => onRetry.push(event),
      retryIf: (_error, attempt) => {
        retryIf.push(attempt);
        return true;
      },
    }).execute(() => {
      throw error;
    });
    const assertion = expect(result).rejects.toMatchObject({ attempts: 3 });
    await clock.advance(1000);
    await assertion;
    expect(onRetry).toEqual([
      { attempt: 1, delayMs: 100, error },
      { attempt: 2, delayMs: 200, error },
    ]);
    expect(retryIf).toEqual([1, 2, 3]);
  });

  it('passes attempt numbers to the function through ctx.attempt', async () => {
    const clock = new VirtualClock();
    const { fn, attempts } = flaky(clock, 3);
    const result = new RetryPolicy({ clock }).execute(fn);
    await clock.advance(10_000);
    await result;
    expect(attempts).toEqual([1, 2, 3, 4]);
  });

  it('rethrows an error retryIf rejects unchanged and at once', async () => {
    const clock = new VirtualClock();
    const error = new Error('bad request');
    let calls = 0;
    const result = new RetryPolicy({ clock, retryIf: () => false }).execute(() => {
      calls++;
      throw error;
    });
    await expect(result).rejects.toBe(error);
    expect(calls).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rethrows a non-retryable error of a later attempt unchanged, not as exhausted', async () => {
    const clock = new VirtualClock();
    const fatal = new RangeError('fatal');
    let calls = 0;
    const result = new RetryPolicy({ clock, retryIf: (error) => !(error instanceof RangeError) }).execute(
      () => {
        calls++;
        throw calls < 4 ? new Error('transient') : fatal;
      },
    );
    const assertion = expect(result).rejects.toBe(fatal);
    await clock.advance(10_000);
    await assertion;
    expect(calls).toBe(4);
  });

  it('retries TypeErrors and thrown non-Error values by default', async () => {
    for (const thrown of [new TypeError('x is undefined'), 'a string', 42, { status: 503 }, undefined]) {
      const clock = new VirtualClock();
      const { fn, attempts } = flaky(clock, 2, thrown);
      const result = new RetryPolicy({ clock }).execute(fn);
      await clock.advance(10_000);
      await expect(result).resolves.toBe('ok after 3');
      expect(attempts).toEqual([1, 2, 3]);
    }
  });

  it('gives the original thrown value as the cause when retries run out', async () => {
    const { error } = await runFailing({ clock: new VirtualClock(), maxRetries: 1 });
    expect((error as RetryExhaustedError).cause).toBeInstanceOf(Error);
    const clock = new VirtualClock();
    const result = new RetryPolicy({ clock, maxRetries: 1 }).execute(() => {
      throw 'plain string';
    });
    const assertion = expect(result).rejects.toMatchObject({ attempts: 2, cause: 'plain string' });
    await clock.advance(1000);
    await assertion;
  });

  it('retries only instances of retryableExceptions', async () => {
    class NetworkError extends Error {}
    const clock = new VirtualClock();
    const { fn, attempts } = flaky(clock, 1, new NetworkError('reset'));
    const retried = new RetryPolicy({ clock, retryableExceptions: [NetworkError] }).execute(fn);
    await clock.advance(1000);
    await expect(retried).resolves.toBe('ok after 2');
    expect(attempts).toEqual([1, 2]);

    const other = new Error('other');
    await expect(
      new RetryPolicy({ clock, retryableExceptions: [NetworkError] }).execute(() => {
        throw other;
      }),
    ).rejects.toBe(other);
  });

  it('requires both retryableExceptions and retryIf to agree when both are set', async () => {
    class NetworkError extends Error {}
    const clock = new VirtualClock();
    const error = new NetworkError('reset');
    const result = new RetryPolicy({
      clock,
      retryableExceptions: [NetworkError],
      retryIf: () => false,
    }).execute(() => {
      throw error;
    });
    await expect(result).rejects.toBe(error);
  });

  it('does not retry an open circuit breaker or a full bulkhead unless retryIf says so', async () => {
    for (const code of ['CIRCUIT_OPEN', 'BULKHEAD_FULL']) {
      const clock = new VirtualClock();
      const rejection = new BulwarkError(code, 'refused');
      let calls = 0;
      const refuse = () => {
        calls++;
        throw rejection;
      };
      await expect(new RetryPolicy({ clock }).execute(refuse)).rejects.toBe(rejection);
      expect(calls).toBe(1);

      const retried = expect(
        new RetryPolicy({ clock, maxRetries: 1, retryIf: () => true }).execute(refuse),
      ).rejects.toSatisfy(isRetryExhaustedError);
      await clock.advance(1000);
      await retried;
      expect(calls).toBe(3);
    }
  });

  it('accepts an async retryIf', async () => {
    const clock = new VirtualClock();
    const { fn, attempts } = flaky(clock, 1);
    const result = new RetryPolicy({ clock, retryIf: async () => true }).execute(fn);
    await clock.advance(1000);
    await expect(result).resolves.toBe('ok after 2');
    expect(attempts).toEqual([1, 2]);
  });

  it('makes no retry that would start later than maxRetryTimeMs after the first attempt', async () => {
    const { error, startedAt } = await runFailing({
      clock: new VirtualClock(),
      jitter: false,
      maxRetries: 10,
      maxRetryTimeMs: 1000,
    });
    // Retries at 100, 300 and 700; the next would start at 1500.
    expect(startedAt).toEqual([0, 100, 300, 700]);
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect((error as RetryExhaustedError).attempts).toBe(4);
  });

  it('retries a synchronous throw and an async rejection alike', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const result = new RetryPolicy({ clock }).execute(async () => {
      calls++;
      if (calls === 1) throw new Error('sync-like');
      if (calls === 2) return Promise.reject(new Error('async'));
      return 'third time';
    });
    await clock.advance(1000);
    await expect(result).resolves.toBe('third time');
  });

  it('allows maxRetries 0: one attempt, then RetryExhaustedError', async () => {
    const clock = new VirtualClock();
    const error = new Error('down');
    await expect(
      new RetryPolicy({ clock, maxRetries: 0 }).execute(() => {
        throw error;
      }),
    ).rejects.toMatchObject({ code: 'RETRY_EXHAUSTED', attempts: 1, cause: error });
  });

  it('calls onRetry subscribers until they are disposed', async () => {
    const clock = new VirtualClock();
    const policy = new RetryPolicy({ clock, maxRetries: 1 });
    const seen: number[] = [];
    const subscription = policy.onRetry((event) => seen.push(event.attempt));
    const first = policy.execute(flaky(clock, 1).fn);
    await clock.advance(1000);
    await first;
    subscription.dispose();
    const second = policy.execute(flaky(clock, 1).fn);
    await clock.advance(1000);
    await second;
    expect(seen).toEqual([1]);
  });

  it('isolates an onRetry callback that throws', async () => {
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const clock = new VirtualClock();
    const result = new RetryPolicy({
      clock,
      onRetry: () => {
        throw new Error('listener bug');
      },
    }).execute(flaky(clock, 1).fn);
    await clock.advance(1000);
    await expect(result).resolves.toBe('ok after 2');
    expect(warnings).toHaveBeenCalledOnce();
  });
});

describe('RetryPolicy cancellation', () => {
  it('ends a backoff at once with signal.reason and starts no further attempt', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    let calls = 0;
    const result = new RetryPolicy({ clock, baseDelayMs: 5000, jitter: false }).execute(() => {
      calls++;
      throw new Error('down');
    }, controller.signal);
    await clock.advance(1000);
    expect(calls).toBe(1);
    const reason = new Error('user left');
    controller.abort(reason);
    await expect(result).rejects.toBe(reason);
    await clock.advance(100_000);
    expect(calls).toBe(1);
    expect(clock.pendingTimers).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('never calls the function when the signal is already aborted', async () => {
    const fn = vi.fn(() => 'value');
    const signal = AbortSignal.abort('gone');
    await expect(new RetryPolicy().execute(fn, signal)).rejects.toBe('gone');
    await expect(retry(fn, { signal })).rejects.toBe('gone');
    expect(fn).not.toHaveBeenCalled();
  });

  it('makes no further attempt when the signal aborts during an attempt', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    let calls = 0;
    const result = new RetryPolicy({ clock }).execute(({ signal }) => {
      calls++;
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted io'))),
      );
    }, controller.signal);
    controller.abort('stop');
    await expect(result).rejects.toBe('stop');
    await clock.advance(10_000);
    expect(calls).toBe(1);
  });

  it('hands the caller signal to every attempt', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const signals: AbortSignal[] = [];
    const result = new RetryPolicy({ clock }).execute(({ signal }) => {
      signals.push(signal);
      if (signals.length < 3) throw new Error('down');
      return 'ok';
    }, controller.signal);
    await clock.advance(1000);
    await result;
    expect(signals).toEqual([controller.signal, controller.signal, controller.signal]);
  });

  it('is also cancelled by the signal in its config, alone or with a call signal', async () => {
    const clock = new VirtualClock();
    const shutdown = new AbortController();
    const policy = new RetryPolicy({ clock, signal: shutdown.signal, baseDelayMs: 1000 });
    const call = new AbortController();
    const alone = policy.execute(() => Promise.reject(new Error('down')));
    const linked = policy.execute(({ signal }) => {
      expect(signal.aborted).toBe(false);
      return Promise.reject(new Error('down'));
    }, call.signal);
    await clock.advance(10);
    shutdown.abort('shutting down');
    await expect(alone).rejects.toBe('shutting down');
    await expect(linked).rejects.toBe('shutting down');
    expect(getEventListeners(call.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('leaves no listener on a long-lived caller signal after many calls', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const policy = new RetryPolicy({ clock, baseDelayMs: 1 });
    for (let call = 0; call < 200; call++) await policy.execute(() => call, controller.signal);
    const failing = Array.from({ length: 50 }, () => policy.execute(flaky(clock, 2).fn, controller.signal));
    await clock.advance(1000);
    await Promise.all(failing);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('RetryPolicy metrics', () => {
  it('reports each retry, the exhaustion and the completed call', async () => {
    const events: unknown[][] = [];
    const disposable = setMetricsCallbacks({
      retryAttempt: (...args) => events.push(['retryAttempt', ...args]),
      retryExhausted: (...args) => events.push(['retryExhausted', ...args]),
      callCompleted: (...args) => events.push(['callCompleted', ...args]),
    });
    try {
      const clock = new VirtualClock();
      const result = new RetryPolicy({ clock, name: 'orders', maxRetries: 2, jitter: false }).execute(() => {
        throw new Error('down');
      });
      const assertion = expect(result).rejects.toSatisfy(isRetryExhaustedError);
      await clock.advance(1000);
      await assertion;
      await new RetryPolicy({ clock, name: 'orders' }).execute(() => 'fine');
    } finally {
      disposable.dispose();
    }
    expect(events).toEqual([
      ['retryAttempt', 'orders', 1, 100],
      ['retryAttempt', 'orders', 2, 200],
      ['retryExhausted', 'orders', 3],
      ['callCompleted', 'retry', 'orders', 'failure', 300],
      ['callCompleted', 'retry', 'orders', 'success', 0],
    ]);
  });
});

describe('retry', () => {
  it('infers the result type from the function', () => {
    expectTypeOf(retry(async () => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(new RetryPolicy().execute(() => 'sync')).toEqualTypeOf<Promise<string>>();
  });

  it('runs the function now, with a config or a number of retries', async () => {
    const clock = new VirtualClock();
    const { fn, attempts } = flaky(clock, 1);
    const result = retry(fn, { clock });
    expect(attempts).toEqual([1]);
    await clock.advance(1000);
    await expect(result).resolves.toBe('ok after 2');

    let calls = 0;
    await expect(
      retry(() => {
        calls++;
        throw new Error('no');
      }, 0),
    ).rejects.toMatchObject({ attempts: 1 });
    expect(calls).toBe(1);
  });
});

describe('RetryConfig validation', () => {
  it('rejects an unknown option naming it and listing the known ones', () => {
    expect(() => new RetryPolicy({ maxRetry: 3 } as RetryConfig)).toThrow(TypeError);
    expect(() => new RetryPolicy({ maxRetry: 3 } as RetryConfig)).toThrow(/no option "maxRetry".*maxRetries/);
    expect(() => new RetryPolicy({ baseDelay: 3 } as RetryConfig)).toThrow(/did you mean "baseDelayMs"/);
  });

  it.each([
    [{ maxRetries: -1 }, RangeError, 'RetryConfig.maxRetries'],
    [{ maxRetries: 1.5 }, RangeError, 'RetryConfig.maxRetries'],
    [{ baseDelayMs: -5 }, RangeError, 'RetryConfig.baseDelayMs'],
    [{ maxDelayMs: 50 }, RangeError, 'RetryConfig.maxDelayMs'],
    [{ strategy: 'fibonacci' }, TypeError, 'RetryConfig.strategy'],
    [{ jitter: 'yes' }, TypeError, 'RetryConfig.jitter'],
    [{ retryableExceptions: ['Error'] }, TypeError, 'RetryConfig.retryableExceptions'],
    [{ retryIf: true }, TypeError, 'RetryConfig.retryIf'],
    [{ maxRetryTimeMs: -1 }, RangeError, 'RetryConfig.maxRetryTimeMs'],
    [{ budget: {} }, TypeError, 'RetryConfig.budget'],
    [{ signal: 'abort' }, TypeError, 'RetryConfig.signal'],
    [{ clock: Date }, TypeError, 'RetryConfig.clock'],
  ])('rejects %o naming the field', (config, ErrorType, field) => {
    expect(() => new RetryPolicy(config as RetryConfig)).toThrow(ErrorType);
    expect(() => new RetryPolicy(config as RetryConfig)).toThrow(field);
  });

  it('accepts Infinity retries and exposes its name and maxRetries', () => {
    const policy = new RetryPolicy({ maxRetries: Number.POSITIVE_INFINITY, name: 'sync' });
    expect(policy.maxRetries).toBe(Number.POSITIVE_INFINITY);
    expect(policy.name).toBe('sync');
    expect(new RetryPolicy().maxRetries).toBe(3);
    expect(isBulwarkError(new RetryExhaustedError(1, null))).toBe(true);
  });
});

describe('RetryPolicy on the system clock', () => {
  it('works with vitest fake timers', async () => {
    vi.useFakeTimers();
    try {
      const startedAt: number[] = [];
      const result = new RetryPolicy({ jitter: false }).execute(() => {
        startedAt.push(Date.now());
        if (startedAt.length < 4) throw new Error('down');
        return 'up';
      });
      await vi.advanceTimersByTimeAsync(700);
      await expect(result).resolves.toBe('up');
      expect(gaps(startedAt)).toEqual([100, 200, 400]);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
