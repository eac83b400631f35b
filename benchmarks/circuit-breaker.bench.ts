import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import Opossum from 'opossum';
import { CircuitBreaker, CircuitState } from '../src/circuit-breaker/index.js';
import { type BenchSuite, nsPerCall } from './harness.js';

const succeed = async (): Promise<number> => 1;
const failure = new Error('dependency down');
const fail = async (): Promise<never> => {
  throw failure;
};
const swallow = (): void => {};

// Every breaker below stays in the state a suite measures, however many calls it sees.
const lean = new CircuitBreaker('bench-lean', { slowCallDurationMs: Number.POSITIVE_INFINITY });
const defaults = new CircuitBreaker('bench-default');
const cockatielClosed = circuitBreaker(handleAll, {
  halfOpenAfter: 60_000,
  breaker: new ConsecutiveBreaker(Number.MAX_SAFE_INTEGER),
});
const opossumClosed = new Opossum(succeed, { errorThresholdPercentage: 100, timeout: false });

const open = new CircuitBreaker('bench-open', { cooldownMs: 2_000_000_000 });
open.forceOpen();
const cockatielOpen = circuitBreaker(handleAll, {
  halfOpenAfter: 2_000_000_000,
  breaker: new ConsecutiveBreaker(1),
});
cockatielOpen.isolate();
const opossumOpen = new Opossum(succeed, { resetTimeout: 2_000_000_000 });
opossumOpen.open();

// A count window holds every outcome it may evict; one success in 50 keeps the rate below 1,
// and the success recorded first keeps it there until the calls' own successes arrive.
const failing = (size: number, slowCallDurationMs?: number) => {
  const breaker = new CircuitBreaker(`bench-failing-${size}-${slowCallDurationMs}`, {
    failureThreshold: Number.MAX_SAFE_INTEGER,
    failureRateThreshold: 1,
    slidingWindow: { type: 'count', size },
    slowCallDurationMs,
  });
  breaker.recordSuccess();
  return breaker;
};
const failing100 = failing(100);
const failing10k = failing(10_000);
const failingUntimed = failing(100, Number.POSITIVE_INFINITY);
const cockatielFailing = circuitBreaker(handleAll, {
  halfOpenAfter: 60_000,
  breaker: new ConsecutiveBreaker(Number.MAX_SAFE_INTEGER),
});
// An opossum breaker's failing call grows slower with every call it has seen, which a fixed-time
// sampler cannot follow: the mean over a fresh breaker's first calls is measured instead.
async function opossumFirstCalls(): Promise<number> {
  const breaker = new Opossum((ok: boolean) => (ok ? succeed() : fail()), {
    errorThresholdPercentage: 100,
    timeout: false,
  });
  const calls = 2_000;
  const started = performance.now();
  for (let call = 0; call < calls; call++) await mostlyFailing((ok) => breaker.fire(ok));
  return ((performance.now() - started) * 1e6) / calls;
}
let tick = 0;
const mostlyFailing = async (run: (ok: boolean) => Promise<unknown>): Promise<void> => {
  try {
    await run(++tick % 50 === 0);
  } catch {
    swallow();
  }
};

// A failing call is measured only if every call went through a closed breaker.
async function whileClosed(breaker: CircuitBreaker, fn: () => unknown): Promise<number> {
  const ns = await nsPerCall(fn);
  if (breaker.state !== CircuitState.CLOSED || breaker.getMetrics().rejections > 0) {
    throw new Error(`${breaker.name} opened while measuring failing calls through a closed breaker`);
  }
  return ns;
}

// `node --expose-gc` provides gc(); without it, V8 can be asked for it at run time.
const collectGarbage: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  })();

function gc(): void {
  collectGarbage();
  collectGarbage();
}

/** Average heap bytes per object over 10,000 objects, each kept alive until measured. */
async function bytesPer(
  create: (index: number) => unknown,
  release?: (value: unknown) => void,
): Promise<number> {
  const count = 10_000;
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept: unknown[] = new Array(count);
  for (let i = 0; i < count; i++) kept[i] = create(i);
  gc();
  const after = process.memoryUsage().heapUsed;
  // The array holding them costs 8 bytes a slot; it is not part of a breaker.
  const bytes = (after - before) / count - 8;
  if (release) for (const value of kept) release(value);
  return bytes;
}

// `beforeRound` closes the breaker again: a round stalled past slowCallDurationMs by a busy machine would open it.
async function concurrently(call: () => Promise<unknown>, beforeRound?: () => void): Promise<number> {
  const rounds = 20;
  const calls = new Array<Promise<unknown>>(10_000);
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    beforeRound?.();
    const start = performance.now();
    for (let i = 0; i < calls.length; i++) calls[i] = call();
    await Promise.all(calls);
    best = Math.min(best, performance.now() - start);
  }
  return best * 1000;
}
const tickLater = (): Promise<number> => new Promise((resolve) => setImmediate(resolve, 1));
const concurrentBreaker = new CircuitBreaker('bench-concurrent');

export const suites: readonly BenchSuite[] = [
  {
    title: 'Circuit breaker: closed, successful call',
    unit: 'ns/op',
    goal: 'bulwark ≤ 1.5× bare with slow-call detection off, ≤ 2.5× with the default config',
    rows: [
      { name: 'bare await fn()', measure: () => nsPerCall(async () => await succeed()) },
      {
        name: 'bulwark, slowCallDurationMs: Infinity',
        measure: () => nsPerCall(async () => await lean.execute(succeed)),
      },
      {
        name: 'bulwark, default config',
        measure: () => nsPerCall(async () => await defaults.execute(succeed)),
      },
      { name: 'cockatiel 3', measure: () => nsPerCall(async () => await cockatielClosed.execute(succeed)) },
      { name: 'opossum 9', measure: () => nsPerCall(async () => await opossumClosed.fire()) },
    ],
  },
  {
    title: 'Circuit breaker: open, rejected call',
    unit: 'ns/op',
    goal: 'bulwark ≤ 2× a bare async rejection',
    rows: [
      {
        name: 'bare async rejection',
        measure: () => nsPerCall(async () => await fail().catch(swallow)),
      },
      { name: 'bulwark', measure: () => nsPerCall(async () => await open.execute(succeed).catch(swallow)) },
      {
        name: 'cockatiel 3',
        measure: () => nsPerCall(async () => await cockatielOpen.execute(succeed).catch(swallow)),
      },
      { name: 'opossum 9', measure: () => nsPerCall(async () => await opossumOpen.fire().catch(swallow)) },
    ],
  },
  {
    title: 'Circuit breaker: closed, failing call (1 success in 50)',
    unit: 'ns/op',
    goal: 'bulwark ≤ 1.3× a bare async rejection, the same with a full window of 100 or 10,000 calls',
    rows: [
      {
        name: 'bare async rejection',
        measure: () => nsPerCall(() => mostlyFailing((ok) => (ok ? succeed() : fail()))),
      },
      {
        name: 'bulwark, window of 100',
        measure: () =>
          whileClosed(failing100, () => mostlyFailing((ok) => failing100.execute(ok ? succeed : fail))),
      },
      {
        name: 'bulwark, window of 10,000',
        measure: () =>
          whileClosed(failing10k, () => mostlyFailing((ok) => failing10k.execute(ok ? succeed : fail))),
      },
      {
        name: 'bulwark, window of 100, slowCallDurationMs: Infinity',
        measure: () =>
          whileClosed(failingUntimed, () =>
            mostlyFailing((ok) => failingUntimed.execute(ok ? succeed : fail)),
          ),
      },
      {
        name: 'cockatiel 3',
        measure: () => nsPerCall(() => mostlyFailing((ok) => cockatielFailing.execute(ok ? succeed : fail))),
      },
      { name: 'opossum 9, the first 2,000 calls of a fresh breaker', measure: opossumFirstCalls },
    ],
  },
  {
    title: 'Circuit breaker: memory per breaker (heap delta over 10,000, after a full GC)',
    unit: 'bytes',
    rounds: 1,
    goal: 'bulwark ≤ 600 bytes with the default config; no timers, so no CPU while idle',
    rows: [
      { name: 'bulwark, default config', measure: () => bytesPer((i) => new CircuitBreaker(`idle-${i}`)) },
      {
        name: 'bulwark, after its first call',
        measure: () =>
          bytesPer((i) => {
            const breaker = new CircuitBreaker(`used-${i}`);
            breaker.recordSuccess();
            return breaker;
          }),
      },
      {
        name: 'cockatiel 3',
        measure: () =>
          bytesPer(() =>
            circuitBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(5) }),
          ),
      },
      {
        name: 'opossum 9',
        measure: () =>
          bytesPer(
            () => new Opossum(succeed),
            (breaker) => (breaker as Opossum).shutdown(),
          ),
      },
    ],
  },
  {
    title: 'Circuit breaker: 10,000 concurrent calls through one breaker (best of 20)',
    unit: 'µs per 10,000',
    rounds: 1,
    goal: 'bulwark ≤ 5× the bare total',
    rows: [
      { name: 'bare', measure: () => concurrently(tickLater) },
      {
        name: 'bulwark, default config',
        measure: () =>
          concurrently(
            () => concurrentBreaker.execute(tickLater),
            () => concurrentBreaker.reset(),
          ),
      },
    ],
  },
];
