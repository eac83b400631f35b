import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitBreakerOpenError } from '../../src/circuit-breaker/index.js';
import { type Policy, type PolicyContext, type PolicyFunction, pipeline, run } from '../../src/core/index.js';
import { RetryPolicy } from '../../src/retry/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { TimeoutError, TimeoutPolicy } from '../../src/timeout/index.js';

/** A virtual clock that counts how often it is read. */
class CountingClock extends VirtualClock {
  reads = 0;
  override now(): number {
    this.reads++;
    return super.now();
  }
}

/** A function that hangs (until its signal aborts) on the attempts listed, and answers on the others. */
function hangingOn(...hanging: number[]) {
  const seen: { attempt: number; signal: AbortSignal }[] = [];
  const fn = ({ attempt, signal }: PolicyContext): Promise<string> => {
    seen.push({ attempt, signal });
    if (!hanging.includes(attempt)) return Promise.resolve(`answer ${attempt}`);
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
  };
  return { fn, seen };
}

/** A policy that only implements `execute`, as third-party policies do. */
class PlainPolicy implements Policy {
  entered = 0;
  execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    this.entered++;
    return Promise.resolve(fn({ signal: signal ?? new AbortController().signal, attempt: 1 }));
  }
}

describe('pipeline(retry, breaker, timeout)', () => {
  it('retries an attempt that timed out, each attempt with its own deadline and number', async () => {
    const clock = new VirtualClock();
    const breaker = new CircuitBreaker('chained-timeout', { clock });
    const resilient = pipeline(
      new RetryPolicy({ maxRetries: 2, baseDelayMs: 10, jitter: false, clock }),
      breaker,
      new TimeoutPolicy({ ms: 100, clock }),
    );
    const { fn, seen } = hangingOn(1);
    const result = resilient.execute(fn);
    await clock.advance(99);
    expect(seen).toHaveLength(1);
    await clock.advance(1);
    expect(seen[0]!.signal.reason).toBeInstanceOf(TimeoutError);
    await clock.advance(10);
    await expect(result).resolves.toBe('answer 2');
    expect(seen.map(({ attempt }) => attempt)).toEqual([1, 2]);
    expect(seen[1]!.signal.aborted).toBe(false);
    expect(breaker.getMetrics()).toMatchObject({ calls: 2, failures: 1 });
  });

  it('does not retry a call the open breaker refused, nor run the function', async () => {
    const breaker = new CircuitBreaker('chained-open');
    breaker.forceOpen();
    let calls = 0;
    const resilient = pipeline(new RetryPolicy({ maxRetries: 3 }), breaker, new TimeoutPolicy(1000));
    await expect(resilient.execute(() => ++calls)).rejects.toBeInstanceOf(CircuitBreakerOpenError);
    expect(calls).toBe(0);
    expect(breaker.getMetrics().rejections).toBe(1);
  });

  it('bounds every attempt together when the timeout is outside the retry', async () => {
    const clock = new VirtualClock();
    const attempts: number[] = [];
    const resilient = pipeline(
      new TimeoutPolicy({ ms: 100, clock }),
      new RetryPolicy({ maxRetries: 10, baseDelayMs: 30, jitter: false, strategy: 'constant', clock }),
    );
    const result = resilient.execute(({ attempt }) => {
      attempts.push(attempt);
      throw new Error('down');
    });
    const settled = expect(result).rejects.toBeInstanceOf(TimeoutError);
    await clock.advance(100);
    await settled;
    await clock.advance(1000);
    expect(attempts).toEqual([1, 2, 3, 4]);
  });

  it('rejects with the reason of an aborted caller signal, which the breaker does not count', async () => {
    const clock = new VirtualClock();
    const breaker = new CircuitBreaker('chained-abort', { clock });
    const resilient = pipeline(
      new RetryPolicy({ maxRetries: 2, clock }),
      breaker,
      new TimeoutPolicy({ ms: 1000, clock }),
    );
    const controller = new AbortController();
    const { fn } = hangingOn(1, 2, 3);
    const result = resilient.execute(fn, controller.signal);
    const reason = new Error('caller left');
    controller.abort(reason);
    await expect(result).rejects.toBe(reason);
    expect(breaker.getMetrics()).toMatchObject({ failures: 0, calls: 0 });
  });

  it('runs a synchronous function synchronously', () => {
    const resilient = pipeline(new CircuitBreaker('chained-sync'), new RetryPolicy());
    expect(run(resilient, ({ attempt }) => attempt * 21)).toBe(21);
  });
});

describe('a chained pipeline', () => {
  it('reads the clock once for the start of an attempt that a breaker and a timeout both time', async () => {
    const clock = new CountingClock();
    const resilient = pipeline(
      new CircuitBreaker('chained-clock', { clock }),
      new TimeoutPolicy({ ms: 100, clock }),
    );
    await resilient.execute(async () => 'done');
    // One read for the attempt's start, one for the breaker's end.
    expect(clock.reads).toBe(2);
  });

  it('never lends an attempt start to a later call', async () => {
    const clock = new VirtualClock();
    const open = new CircuitBreaker('chained-refused', { clock });
    open.forceOpen();
    // The first breaker reads the attempt's start; the second refuses before anything takes it.
    const refused = pipeline(new CircuitBreaker('chained-reads-start', { clock }), open);
    await expect(refused.execute(() => 1)).rejects.toBeInstanceOf(CircuitBreakerOpenError);
    await clock.advance(5000);
    const breaker = new CircuitBreaker('chained-later', { clock, slowCallDurationMs: 1000 });
    await pipeline(breaker, new TimeoutPolicy({ ms: 100, clock })).execute(async () => 'quick');
    expect(breaker.getMetrics()).toMatchObject({ calls: 1, slowCalls: 0 });
  });

  it('runs policies that only implement execute in their place, with the attempt number', async () => {
    const plain = new PlainPolicy();
    const clock = new VirtualClock();
    const resilient = pipeline(
      new RetryPolicy({ maxRetries: 1, baseDelayMs: 5, jitter: false, clock }),
      plain,
      new TimeoutPolicy({ ms: 100, clock }),
    );
    const { fn, seen } = hangingOn(1);
    const result = resilient.execute(fn);
    await clock.advance(105);
    await expect(result).resolves.toBe('answer 2');
    expect(plain.entered).toBe(2);
    expect(seen.map(({ attempt }) => attempt)).toEqual([1, 2]);
  });

  it('chains through a pipeline nested in another', async () => {
    const clock = new VirtualClock();
    const breaker = new CircuitBreaker('chained-nested', { clock });
    const resilient = pipeline(
      new RetryPolicy({ maxRetries: 1, baseDelayMs: 5, jitter: false, clock }),
      pipeline(breaker, new TimeoutPolicy({ ms: 100, clock })),
    );
    const { fn, seen } = hangingOn(1);
    const result = resilient.execute(fn);
    await clock.advance(105);
    await expect(result).resolves.toBe('answer 2');
    expect(seen.map(({ attempt }) => attempt)).toEqual([1, 2]);
    expect(breaker.getMetrics()).toMatchObject({ calls: 2, failures: 1 });
  });

  it('answers with the timeout fallback when the deadline comes first', async () => {
    const clock = new VirtualClock();
    const resilient = pipeline(
      new CircuitBreaker('chained-fallback', { clock }),
      new TimeoutPolicy({ ms: 10, clock, fallback: (error: TimeoutError) => `late: ${error.code}` }),
    );
    const { fn } = hangingOn(1);
    const result = resilient.execute(fn);
    await clock.advance(10);
    await expect(result).resolves.toBe('late: TIMEOUT');
  });

  it('builds no AbortController for a timeout outside a retry and a breaker unless the function reads it', async () => {
    const Original = globalThis.AbortController;
    let built = 0;
    globalThis.AbortController = class extends Original {
      constructor() {
        super();
        built++;
      }
    };
    try {
      const resilient = pipeline(
        new TimeoutPolicy(1000),
        new RetryPolicy({ maxRetries: 2 }),
        new CircuitBreaker('chained-lazy'),
      );
      await resilient.execute(async () => 'no signal read');
      expect(built).toBe(0);
      await resilient.execute(async ({ signal }) => signal.aborted);
      expect(built).toBe(1);
      const perAttempt = pipeline(
        new TimeoutPolicy(5000),
        new RetryPolicy({ maxRetries: 2 }),
        new CircuitBreaker('chained-lazy-nested'),
        new TimeoutPolicy(1000),
      );
      await perAttempt.execute(async () => 'no signal read');
      expect(built).toBe(1);
    } finally {
      globalThis.AbortController = Original;
    }
  });

  it('lets a breaker inside a timeout ignore the call the timeout gave up on', async () => {
    const clock = new VirtualClock();
    const breaker = new CircuitBreaker('chained-outer-timeout', { clock });
    const resilient = pipeline(new TimeoutPolicy({ ms: 100, clock }), breaker);
    const { fn, seen } = hangingOn(1);
    const result = resilient.execute(fn);
    const settled = expect(result).rejects.toBeInstanceOf(TimeoutError);
    await clock.advance(100);
    await settled;
    expect(seen[0]!.signal.reason).toBeInstanceOf(TimeoutError);
    expect(breaker.getStatus()).toMatchObject({ calls: 0, failures: 0, ignored: 1 });
  });

  it('aborts the attempt under way when a timeout around per-attempt timeouts expires', async () => {
    const clock = new VirtualClock();
    const resilient = pipeline(
      new TimeoutPolicy({ ms: 150, clock }),
      new RetryPolicy({ maxRetries: 5, baseDelayMs: 10, strategy: 'constant', jitter: false, clock }),
      new TimeoutPolicy({ ms: 100, clock }),
    );
    const { fn, seen } = hangingOn(1, 2, 3, 4, 5, 6);
    const result = resilient.execute(fn);
    const settled = expect(result).rejects.toMatchObject({ code: 'TIMEOUT', timeoutMs: 150 });
    await clock.advance(150);
    await settled;
    expect(seen.map(({ attempt }) => attempt)).toEqual([1, 2]);
    expect(seen[0]!.signal.reason).toMatchObject({ timeoutMs: 100 });
    expect(seen[1]!.signal.reason).toMatchObject({ timeoutMs: 150 });
    await clock.advance(1000);
    expect(seen).toHaveLength(2);
  });
});
