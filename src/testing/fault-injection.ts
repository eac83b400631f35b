import {
  abortableSleep,
  BulwarkError,
  type Clock,
  contextFor,
  errorGuard,
  executeSyncCapable,
  type PassesSignal,
  type Policy,
  type PolicyContext,
  type PolicyFaces,
  type PolicyFunction,
  policyFaces,
  rules,
  runSync,
  type SyncCapablePolicy,
  systemClock,
  validateConfig,
  type WrapOptions,
} from '../core/index.js';

/** The error {@link injectFault} throws when no `error` is given. */
export class InjectedFaultError extends BulwarkError {
  constructor() {
    super('INJECTED_FAULT', 'A fault was injected on purpose to rehearse failure handling');
    this.name = 'InjectedFaultError';
  }
}

/** Whether `value` is an {@link InjectedFaultError} from any copy of bulwark. */
export const isInjectedFaultError = errorGuard<InjectedFaultError>('INJECTED_FAULT');

interface InjectionOptions {
  /** The fraction of calls affected, from 0 (none) to 1 (all). Required. */
  rate: number;
  /**
   * Where chance comes from: a function returning numbers in [0, 1).
   * @default Math.random, or a seeded generator when `seed` is set
   */
  random?: (() => number) | undefined;
  /**
   * Seeds a small deterministic generator, so a test replays the same faults.
   * @default undefined (use `random`)
   */
  seed?: number | undefined;
}

/** Options of {@link injectFault}. */
export interface FaultInjectionOptions extends InjectionOptions {
  /**
   * What the affected calls throw: a value thrown as is, an error class constructed per
   * fault, or a function of the call's context that builds it.
   * @default a new InjectedFaultError per fault
   */
  error?: unknown;
}

/** Options of {@link injectLatency}. */
export interface LatencyInjectionOptions extends InjectionOptions {
  /** The delay, in ms, added before the affected calls start. Required. */
  ms: number;
  /**
   * The clock the delay runs on.
   * @default systemClock
   */
  clock?: Clock | undefined;
}

const injectionSchema = {
  rate: rules.fraction,
  random: rules.function,
  seed: rules.integer(Number.MIN_SAFE_INTEGER),
};

/** mulberry32: a tiny, fast generator that is good enough to pick which calls fail. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function chance(subject: string, options: InjectionOptions | undefined): () => number {
  if (options?.rate === undefined) throw new TypeError(`${subject}.rate is required: a number from 0 to 1`);
  if (options.random !== undefined && options.seed !== undefined) {
    throw new TypeError(`${subject} accepts either random or seed, not both`);
  }
  return options.random ?? (options.seed === undefined ? Math.random : seededRandom(options.seed));
}

function buildError(error: unknown, context: PolicyContext): unknown {
  if (error === undefined) return new InjectedFaultError();
  if (typeof error !== 'function') return error;
  return error.prototype instanceof Error
    ? new (error as new () => unknown)()
    : (error as (context: PolicyContext) => unknown)(context);
}

/**
 * A policy that makes a fraction of calls fail without running them, to rehearse how the
 * rest of a pipeline copes. A synchronous function stays synchronous. Create it with
 * {@link injectFault}.
 */
export class FaultInjectionPolicy implements SyncCapablePolicy {
  readonly rate: number;
  readonly #error: unknown;
  readonly #random: () => number;
  #injected = 0;

  constructor(options: FaultInjectionOptions) {
    validateConfig<FaultInjectionOptions>('FaultInjectionOptions', options, {
      ...injectionSchema,
      error: rules.any,
    });
    this.#random = chance('FaultInjectionOptions', options);
    this.rate = options.rate;
    this.#error = options.error;
  }

  /** How many calls this policy has failed on purpose. */
  get injected(): number {
    return this.#injected;
  }

  execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    return executeSyncCapable(this, fn, signal);
  }

  [runSync]<T>(fn: PolicyFunction<T>, signal?: AbortSignal): T | Promise<T> {
    if (signal?.aborted) throw signal.reason;
    const context = contextFor(signal);
    if (this.rate > 0 && this.#random() < this.rate) {
      this.#injected++;
      throw buildError(this.#error, context);
    }
    return fn(context) as T | Promise<T>;
  }
}

/**
 * A policy that delays a fraction of calls by `ms` on its clock before they start, to
 * rehearse timeouts, hedging and adaptive limits. Create it with {@link injectLatency}.
 */
export class LatencyInjectionPolicy implements Policy {
  readonly rate: number;
  readonly ms: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  #injected = 0;

  constructor(options: LatencyInjectionOptions) {
    validateConfig<LatencyInjectionOptions>('LatencyInjectionOptions', options, {
      ...injectionSchema,
      ms: rules.duration(0),
      clock: rules.clock,
    });
    this.#random = chance('LatencyInjectionOptions', options);
    if (options.ms === undefined) {
      throw new TypeError('LatencyInjectionOptions.ms is required: a duration in ms >= 0');
    }
    this.rate = options.rate;
    this.ms = options.ms;
    this.#clock = options.clock ?? systemClock;
  }

  /** How many calls this policy has delayed. */
  get injected(): number {
    return this.#injected;
  }

  async execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw signal.reason;
    if (this.rate > 0 && this.#random() < this.rate) {
      this.#injected++;
      await abortableSleep(this.ms, signal, this.#clock);
    }
    return fn(contextFor(signal));
  }
}

/**
 * Makes a fraction of calls throw `error` instead of running, for chaos rehearsals and
 * tests. Use the policy in a `pipeline(...)`, or its `with*` face on functions and methods.
 *
 * @example
 * const flaky = injectFault({ rate: 0.2, error: () => new Error('ECONNRESET'), seed: 42 });
 * const resilient = pipeline(new RetryPolicy({ maxRetries: 3 }), flaky);
 *
 * @throws TypeError or RangeError when an option is missing or invalid.
 */
export function injectFault(options: FaultInjectionOptions): FaultInjectionPolicy {
  return new FaultInjectionPolicy(options);
}

/**
 * Delays a fraction of calls by `ms` before they start, for chaos rehearsals and tests.
 *
 * @example
 * const clock = new VirtualClock();
 * const slow = injectLatency({ rate: 1, ms: 500, clock });
 * const guarded = pipeline(new TimeoutPolicy({ ms: 100, clock }), slow);
 *
 * @throws TypeError or RangeError when an option is missing or invalid.
 */
export function injectLatency(options: LatencyInjectionOptions): LatencyInjectionPolicy {
  return new LatencyInjectionPolicy(options);
}

/**
 * The higher-order function and method decorator of {@link injectFault}:
 * `withInjectedFault({ rate: 0.1 })(fn)` or `@withInjectedFault({ rate: 0.1 })`.
 * A synchronous function stays synchronous.
 *
 * @example
 * const flakyFetch = withInjectedFault({ rate: 0.5, seed: 7 })(fetchUser);
 */
export function withInjectedFault<O extends FaultInjectionOptions & WrapOptions>(
  options: O,
): PolicyFaces<false, PassesSignal<O>> {
  const { passSignal, ...config } = options ?? ({} as O);
  const policy = new FaultInjectionPolicy(config);
  return policyFaces(
    'withInjectedFault',
    { policy: 'faultInjection', options },
    () => () => policy,
    passSignal,
  );
}

/**
 * The higher-order function and method decorator of {@link injectLatency}:
 * `withInjectedLatency({ rate: 0.1, ms: 200 })(fn)` or `@withInjectedLatency(...)`.
 *
 * @example
 * const slowSearch = withInjectedLatency({ rate: 0.05, ms: 2000 })(search);
 */
export function withInjectedLatency<O extends LatencyInjectionOptions & WrapOptions>(
  options: O,
): PolicyFaces<true, PassesSignal<O>> {
  const { passSignal, ...config } = options ?? ({} as O);
  const policy = new LatencyInjectionPolicy(config);
  return policyFaces(
    'withInjectedLatency',
    { policy: 'latencyInjection', options },
    () => () => policy,
    passSignal,
  );
}
