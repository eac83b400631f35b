import {
  abortableSleep,
  type Clock,
  contextFor,
  type Policy,
  type PolicyFunction,
  rules,
  systemClock,
  validateConfig,
  withoutStackTrace,
} from '../core/index.js';
import { type CallOutcome, metricsCallbacks, runMeasured } from '../metrics/index.js';
import { RateLimitedError } from './rate-limited-error.js';

/** Options of {@link RateLimiter} and {@link withRateLimit}. */
export interface RateLimiterOptions {
  /** How many calls may start per `periodMs`; also the largest burst. Required. */
  limitForPeriod: number;
  /** The period, in ms, over which `limitForPeriod` tokens refill. Required. */
  periodMs: number;
  /**
   * How long a call may wait for a token before it is rejected; `Infinity` waits as long as needed.
   * @default 0 (reject at once)
   */
  timeoutMs?: number | undefined;
  /**
   * The name reported in errors and to metrics.
   * @default 'rate-limiter'
   */
  name?: string | undefined;
  /**
   * The clock tokens refill on.
   * @default systemClock
   */
  clock?: Clock | undefined;
}

/** A rate limiter's tokens, waiting calls and refusals. */
export interface RateLimiterStats {
  /** Tokens free now (whole tokens). */
  readonly available: number;
  /** Calls holding a reservation and waiting for their token. */
  readonly waiting: number;
  /** Calls refused since the limiter was created. */
  readonly rejected: number;
}

const schema = {
  limitForPeriod: rules.integer(1),
  periodMs: rules.duration(1),
  timeoutMs: rules.duration(0, { infinite: true }),
  name: rules.string,
  clock: rules.clock,
};

/**
 * A token bucket: holds up to `limitForPeriod` tokens and refills them evenly over
 * `periodMs`; each call takes one. A call that finds no token waits up to `timeoutMs`
 * (taking its place in line), or is rejected with {@link RateLimitedError} and its
 * `retryAfterMs`. Time comes from the clock; the limiter keeps no timer of its own.
 *
 * @example
 * const github = new RateLimiter({ limitForPeriod: 10, periodMs: 1000, timeoutMs: 500, name: 'github' });
 * const repo = await github.execute(({ signal }) => fetch(url, { signal }));
 *
 * @throws TypeError or RangeError at construction when an option is missing or invalid.
 */
export class RateLimiter implements Policy {
  readonly name: string;
  readonly limitForPeriod: number;
  readonly periodMs: number;
  readonly timeoutMs: number;
  readonly #clock: Clock;
  // Credit is counted in token-milliseconds: a token costs `periodMs` and each millisecond
  // refills `limitForPeriod`, so whole-millisecond clocks never meet rounding errors.
  // A negative credit is owed to calls that reserved a token and are waiting for it.
  #credit: number;
  #updatedAt: number;
  #waiting = 0;
  #rejected = 0;

  constructor(options: RateLimiterOptions) {
    validateConfig<RateLimiterOptions>('RateLimiterOptions', options, schema);
    if (options?.limitForPeriod === undefined) {
      throw new TypeError('RateLimiterOptions.limitForPeriod is required: an integer >= 1');
    }
    if (options.periodMs === undefined) {
      throw new TypeError('RateLimiterOptions.periodMs is required: a duration in ms >= 1');
    }
    this.limitForPeriod = options.limitForPeriod;
    this.periodMs = options.periodMs;
    this.timeoutMs = options.timeoutMs ?? 0;
    this.name = options.name ?? 'rate-limiter';
    this.#clock = options.clock ?? systemClock;
    this.#credit = this.limitForPeriod * this.periodMs;
    this.#updatedAt = this.#clock.now();
  }

  /** Free tokens, waiting calls and refusals. */
  getStats(): RateLimiterStats {
    this.#refill();
    return {
      available: Math.max(0, Math.floor(this.#credit / this.periodMs)),
      waiting: this.#waiting,
      rejected: this.#rejected,
    };
  }

  /** Takes a token if one is free now, without waiting; for callers that manage their own calls. */
  tryAcquire(): boolean {
    this.#refill();
    if (this.#credit < this.periodMs) return false;
    this.#credit -= this.periodMs;
    return true;
  }

  /**
   * Runs `fn` when a token is free: now, after a wait of at most `timeoutMs`, or never,
   * rejecting with {@link RateLimitedError}. An aborted `signal` ends the wait with its
   * reason and gives the reserved token back.
   */
  execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.#refill();
    const startedAt = metricsCallbacks?.callCompleted === undefined ? Number.NaN : this.#clock.now();
    if (this.#credit >= this.periodMs) {
      this.#credit -= this.periodMs;
      return this.#run(fn, signal, startedAt);
    }
    const waitMs = Math.ceil((this.periodMs - this.#credit) / this.limitForPeriod);
    if (waitMs > this.timeoutMs) {
      this.#rejected++;
      if (!Number.isNaN(startedAt)) this.#report('rejected', startedAt);
      return Promise.reject(withoutStackTrace(() => new RateLimitedError(this.name, waitMs)));
    }
    this.#credit -= this.periodMs;
    return this.#waitThenRun(waitMs, fn, signal, startedAt);
  }

  async #waitThenRun<T>(
    waitMs: number,
    fn: PolicyFunction<T>,
    signal: AbortSignal | undefined,
    startedAt: number,
  ): Promise<T> {
    this.#waiting++;
    try {
      await abortableSleep(waitMs, signal, this.#clock);
    } catch (reason) {
      this.#refill();
      this.#credit = Math.min(this.#credit + this.periodMs, this.limitForPeriod * this.periodMs);
      throw reason;
    } finally {
      this.#waiting--;
    }
    return this.#run(fn, signal, startedAt);
  }

  #run<T>(fn: PolicyFunction<T>, signal: AbortSignal | undefined, startedAt: number): Promise<T> {
    if (!Number.isNaN(startedAt))
      return runMeasured(fn, signal, (outcome) => this.#report(outcome, startedAt));
    try {
      return Promise.resolve(fn(contextFor(signal)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = now - this.#updatedAt;
    if (elapsed <= 0) return;
    this.#updatedAt = now;
    this.#credit = Math.min(
      this.#credit + elapsed * this.limitForPeriod,
      this.limitForPeriod * this.periodMs,
    );
  }

  #report(outcome: CallOutcome, startedAt: number): void {
    metricsCallbacks?.callCompleted?.('rate_limiter', this.name, outcome, this.#clock.now() - startedAt);
  }
}
