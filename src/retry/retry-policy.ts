import pRetry from 'p-retry';
import {
  type AnyClass,
  abortableSleep,
  abortOf,
  type Chain,
  type ChainablePolicy,
  type Clock,
  type Continuation,
  contextFor,
  type Event,
  EventEmitter,
  invoke,
  isBulwarkError,
  neverAbortedSignal,
  onAbort,
  type PolicyContext,
  type PolicyFunction,
  rules,
  runChained,
  runUnchained,
  type Schema,
  settle,
  systemClock,
  validateConfig,
  withAttempt,
  withoutStackTrace,
} from '../core/index.js';
import { type CallOutcome, metricsCallbacks } from '../metrics/index.js';
import { Backoff, type BackoffSettings, type BackoffStrategy } from './backoff.js';
import { RetryExhaustedError } from './errors.js';
import type { RetryBudget } from './retry-budget.js';

/** What {@link RetryConfig.onRetry} and {@link RetryPolicy.onRetry} receive before each retry. */
export interface RetryEvent {
  /** The retry's number: 1 for the first retry (the second attempt). */
  readonly attempt: number;
  /** How long the policy waits before the retry. */
  readonly delayMs: number;
  /** What the failed attempt threw. */
  readonly error: unknown;
}

/** Options of {@link RetryPolicy}, {@link withRetry} and {@link retry}. */
export interface RetryConfig {
  /**
   * Retries after the first attempt; `Infinity` retries until `maxRetryTimeMs`, the budget
   * or the signal stops it.
   * @default 3
   */
  maxRetries?: number | undefined;
  /**
   * The first retry's delay, and the unit every strategy scales.
   * @default 100
   */
  baseDelayMs?: number | undefined;
  /**
   * The longest delay between two attempts.
   * @default 10000
   */
  maxDelayMs?: number | undefined;
  /**
   * How delays grow: `'exponential'` (`base × 2^(n-1)`), `'linear'` (`base × n`),
   * `'constant'` (`base`), `'decorrelated'` (AWS decorrelated jitter: a draw from
   * `[base, 3 × previous delay]`), or a function `(attempt, error) => delayMs`.
   * @default 'exponential'
   */
  strategy?: BackoffStrategy | undefined;
  /**
   * Randomise the built-in strategies' delays so that clients failing together do not
   * retry together: exponential, linear and constant delays `d` become a uniform draw
   * from `[d/2, d]`; with `false`, decorrelated follows its upper bound `3 × previous`.
   * A strategy function's delays are used as returned.
   * @default true
   */
  jitter?: boolean | undefined;
  /**
   * Retry only errors that are instances of one of these classes.
   * @default every error
   */
  retryableExceptions?: readonly AnyClass[] | undefined;
  /**
   * Decides whether to retry after attempt number `attempt` (1 for the first call) threw
   * `error`; any thrown value, `TypeError`s and non-Errors included, can be retried.
   * Combined with `retryableExceptions`, both must agree.
   * @default retry everything except an open circuit breaker or a full bulkhead
   */
  retryIf?: ((error: unknown, attempt: number) => boolean | PromiseLike<boolean>) | undefined;
  /**
   * No retry is made that would start later than this after the first attempt started;
   * the call then fails with `RetryExhaustedError`.
   * @default Infinity
   */
  maxRetryTimeMs?: number | undefined;
  /**
   * Called before each retry's delay; a callback that throws is reported as a process warning.
   * @default none
   */
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /**
   * A budget shared with other retry policies that caps retries to a fraction of calls.
   * @default no budget
   */
  budget?: RetryBudget | undefined;
  /**
   * Cancels every call of this policy, in addition to the signal given to `execute`.
   * @default none
   */
  signal?: AbortSignal | undefined;
  /** The source of time for delays. @default systemClock */
  clock?: Clock | undefined;
  /**
   * The operation name reported to metrics.
   * @default 'retry' (the decorator and higher-order function use `Class.method` or the function's name)
   */
  name?: string | undefined;
}

export const retryConfigSchema: Schema<RetryConfig> = {
  maxRetries: rules.either(rules.integer(0), rules.oneOf(Number.POSITIVE_INFINITY)),
  baseDelayMs: rules.duration(0),
  maxDelayMs: rules.duration(0),
  strategy: rules.either(rules.oneOf('exponential', 'linear', 'constant', 'decorrelated'), rules.function),
  jitter: rules.boolean,
  retryableExceptions: rules.classes,
  retryIf: rules.function,
  maxRetryTimeMs: rules.duration(0, { infinite: true }),
  onRetry: rules.function,
  budget: rules.withMethods('a RetryBudget', 'recordCall', 'tryRetry'),
  signal: rules.signal,
  clock: rules.clock,
  name: rules.string,
};

/** Carries a failed attempt's thrown value through p-retry, which never retries non-Errors or TypeErrors. */
class AttemptFailure extends Error {
  constructor(readonly thrown: unknown) {
    super('attempt failed');
  }
}

const fail = (thrown: unknown): AttemptFailure => withoutStackTrace(() => new AttemptFailure(thrown));

const succeeded = Symbol('bulwark.retry.succeeded');
const firstAttemptFailed = Symbol('bulwark.retry.firstAttemptFailed');

/** The first attempt of a call through a retry in a pipeline; later attempts go through p-retry. */
class ChainedRetry<T> implements Continuation<T> {
  constructor(
    readonly policy: RetryPolicy,
    readonly chain: Chain<T>,
    readonly position: number,
    readonly context: PolicyContext,
    readonly startedAt: number | undefined,
    readonly continuation: Continuation<T>,
  ) {}

  resolve(value: T): void {
    this.policy[succeeded](this.startedAt);
    this.continuation.resolve(value);
  }

  reject(error: unknown): void {
    this.policy[firstAttemptFailed](error, this);
  }
}

/**
 * Retries failed calls with backoff. The first attempt runs directly; only after a failure
 * does the call enter the retry loop (p-retry), so a call that succeeds at once costs
 * little more than the call itself.
 *
 * An error that may not be retried is rethrown unchanged at once; when every allowed
 * attempt failed the call rejects with {@link RetryExhaustedError}. A delay ends at once
 * when the signal aborts, rejecting with `signal.reason`, and no attempt starts after an abort.
 *
 * @example
 * const policy = new RetryPolicy({ maxRetries: 4, baseDelayMs: 200, retryIf: (error) => isTransient(error) });
 * const order = await policy.execute(({ signal, attempt }) => orders.fetch(id, { signal, attempt }));
 */
export class RetryPolicy implements ChainablePolicy {
  /** The operation name reported to metrics. */
  readonly name: string;
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  readonly #backoff: BackoffSettings;
  readonly #retryableExceptions: readonly AnyClass[] | undefined;
  readonly #retryIf: RetryConfig['retryIf'];
  readonly #maxRetryTimeMs: number;
  readonly #budget: RetryBudget | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #clock: Clock;
  readonly #retries = new EventEmitter<RetryEvent>();

  /** Subscribes to retries; the listener runs before each retry's delay. */
  readonly onRetry: Event<RetryEvent> = this.#retries.subscribe;

  /** @throws TypeError or RangeError naming the invalid option. */
  constructor(config: RetryConfig = {}) {
    validateConfig<RetryConfig>('RetryConfig', config, retryConfigSchema);
    const baseDelayMs = config.baseDelayMs ?? 100;
    const maxDelayMs = config.maxDelayMs ?? 10_000;
    if (maxDelayMs < baseDelayMs) {
      throw new RangeError(
        `RetryConfig.maxDelayMs must be >= baseDelayMs (${baseDelayMs}), received ${maxDelayMs}`,
      );
    }
    this.name = config.name ?? 'retry';
    this.maxRetries = config.maxRetries ?? 3;
    this.#backoff = {
      strategy: config.strategy ?? 'exponential',
      baseDelayMs,
      maxDelayMs,
      jitter: config.jitter ?? true,
    };
    this.#retryableExceptions = config.retryableExceptions;
    this.#retryIf = config.retryIf;
    this.#maxRetryTimeMs = config.maxRetryTimeMs ?? Number.POSITIVE_INFINITY;
    this.#budget = config.budget;
    this.#signal = config.signal;
    this.#clock = config.clock ?? systemClock;
    if (config.onRetry !== undefined) this.#retries.subscribe(config.onRetry);
  }

  execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    const own = this.#signal;
    if (own !== undefined && signal !== undefined && signal !== own)
      return this.#executeLinked(fn, signal, own);
    return this.#execute(fn, signal ?? own);
  }

  [runChained]<T>(
    chain: Chain<T>,
    position: number,
    context: PolicyContext,
    continuation: Continuation<T>,
  ): void {
    if (this.#signal !== undefined) {
      // A policy-wide signal is linked with the call's, which takes the signals themselves.
      runUnchained(this, chain, position, context, continuation);
      return;
    }
    // The context goes on as it is: a signal built on first read stays unbuilt unless a retry needs it.
    const aborted = abortOf(context);
    if (aborted !== undefined) {
      continuation.reject(aborted.reason);
      return;
    }
    const startedAt = this.#start();
    const call = new ChainedRetry(this, chain, position, context, startedAt, continuation);
    chain.proceed(position + 1, context.attempt === 1 ? context : withAttempt(context, 1), call);
  }

  [succeeded](startedAt: number | undefined): void {
    this.#completed('success', startedAt);
  }

  [firstAttemptFailed]<T>(error: unknown, call: ChainedRetry<T>): void {
    const { chain, position, continuation } = call;
    const signal = call.context.signal;
    const retried = (context: PolicyContext) => settle(chain, position + 1, context);
    const retrySignal = signal === neverAbortedSignal ? undefined : signal;
    invoke(() => this.#retry(error, retried, retrySignal, call.startedAt), call.context, continuation);
  }

  async #executeLinked<T>(fn: PolicyFunction<T>, signal: AbortSignal, own: AbortSignal): Promise<T> {
    const controller = new AbortController();
    const abort = (reason: unknown): void => controller.abort(reason);
    const unlinkCall = onAbort(signal, abort);
    const unlinkOwn = onAbort(own, abort);
    try {
      return await this.#execute(fn, controller.signal);
    } finally {
      unlinkCall();
      unlinkOwn();
    }
  }

  #execute<T>(fn: PolicyFunction<T>, signal: AbortSignal | undefined): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const startedAt = this.#start();
    let result: T | PromiseLike<T>;
    try {
      result = fn(contextFor(signal, 1));
    } catch (error) {
      return this.#retry(error, fn, signal, startedAt);
    }
    // A success passes through the first attempt's promise with no handler of the policy's own.
    return Promise.resolve(result).then(
      startedAt === undefined
        ? undefined
        : (value) => {
            this.#completed('success', startedAt);
            return value;
          },
      (error: unknown) => this.#retry(error, fn, signal, startedAt),
    );
  }

  /** Counts the call and returns when it started, or `undefined` when nothing needs to know. */
  #start(): number | undefined {
    this.#budget?.recordCall();
    // The clock is read only when something needs the call's start: metrics or a time limit.
    return metricsCallbacks?.callCompleted !== undefined || this.#maxRetryTimeMs !== Number.POSITIVE_INFINITY
      ? this.#clock.now()
      : undefined;
  }

  async #retry<T>(
    firstError: unknown,
    fn: PolicyFunction<T>,
    signal: AbortSignal | undefined,
    startedAt: number | undefined,
  ): Promise<T> {
    const backoff = new Backoff(this.#backoff);
    let attempts = 1;
    try {
      const value = await pRetry(
        async (attempt) => {
          if (attempt === 1) throw fail(firstError);
          attempts = attempt;
          if (signal?.aborted) throw fail(signal.reason);
          try {
            return await fn(contextFor(signal, attempt));
          } catch (error) {
            throw fail(error);
          }
        },
        {
          retries: this.maxRetries,
          minTimeout: 0,
          factor: 1,
          onFailedAttempt: async ({ error, attemptNumber }) => {
            const thrown = (error as AttemptFailure).thrown;
            if (signal?.aborted) throw signal.reason;
            if (!(await this.#isRetryable(thrown, attemptNumber))) throw thrown;
          },
          // p-retry calls this only when a retry is left, so a delay slept here is never wasted.
          shouldRetry: async ({ error, attemptNumber }) => {
            const thrown = (error as AttemptFailure).thrown;
            const delayMs = backoff.next(attemptNumber, thrown);
            if (this.#pastTimeLimit(startedAt, delayMs)) throw this.#exhausted(attemptNumber, thrown);
            if (this.#budget !== undefined && !this.#budget.tryRetry()) throw thrown;
            if (this.#retries.hasListeners)
              this.#retries.emit({ attempt: attemptNumber, delayMs, error: thrown });
            metricsCallbacks?.retryAttempt?.(this.name, attemptNumber, delayMs);
            if (delayMs > 0) await abortableSleep(delayMs, signal, this.#clock);
            return true;
          },
        },
      );
      this.#completed('success', startedAt);
      return value;
    } catch (thrown) {
      const error = thrown instanceof AttemptFailure ? this.#exhausted(attempts, thrown.thrown) : thrown;
      this.#completed('failure', startedAt);
      throw error;
    }
  }

  async #isRetryable(error: unknown, attempt: number): Promise<boolean> {
    const classes = this.#retryableExceptions;
    if (classes !== undefined && !classes.some((errorClass) => error instanceof errorClass)) return false;
    if (this.#retryIf !== undefined) return Boolean(await this.#retryIf(error, attempt));
    // Retrying a call the breaker or the bulkhead refused only adds to the overload they guard against.
    return !(isBulwarkError(error) && (error.code === 'CIRCUIT_OPEN' || error.code === 'BULKHEAD_FULL'));
  }

  /** Whether a retry after `delayMs` would start past `maxRetryTimeMs`. */
  #pastTimeLimit(startedAt: number | undefined, delayMs: number): boolean {
    return (
      this.#maxRetryTimeMs !== Number.POSITIVE_INFINITY &&
      startedAt !== undefined &&
      this.#clock.now() + delayMs - startedAt > this.#maxRetryTimeMs
    );
  }

  #exhausted(attempts: number, lastError: unknown): RetryExhaustedError {
    metricsCallbacks?.retryExhausted?.(this.name, attempts);
    return new RetryExhaustedError(attempts, lastError);
  }

  #completed(outcome: CallOutcome, startedAt: number | undefined): void {
    if (startedAt === undefined) return;
    metricsCallbacks?.callCompleted?.('retry', this.name, outcome, this.#clock.now() - startedAt);
  }
}
