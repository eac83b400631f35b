import { type Clock, rules, systemClock, validateConfig } from '../core/index.js';

/** Options of {@link RetryBudget}. */
export interface RetryBudgetConfig {
  /**
   * Retries allowed per call made, over the window: 0.2 lets retries add at most 20% load.
   * @default 0.2
   */
  ratio?: number | undefined;
  /**
   * Retries always allowed, so a service with little traffic can still retry; the window
   * holds a reserve of `minRetriesPerSecond × windowMs / 1000` retries.
   * @default 10
   */
  minRetriesPerSecond?: number | undefined;
  /**
   * How far back calls and retries are counted.
   * @default 10000
   */
  windowMs?: number | undefined;
  /** The source of time. @default systemClock */
  clock?: Clock | undefined;
}

/** A budget's counts over its current window. */
export interface RetryBudgetStats {
  /** Calls recorded (first attempts). */
  readonly calls: number;
  /** Retries granted. */
  readonly retries: number;
  /** Retries that would be granted now. */
  readonly available: number;
}

const schema = {
  ratio: rules.number(0),
  minRetriesPerSecond: rules.number(0),
  windowMs: rules.duration(1),
  clock: rules.clock,
};

const BUCKETS = 10;

/**
 * Caps retries to a fraction of calls over a sliding window, shared by any number of retry
 * policies, so that during an outage retries cannot multiply the load on a failing
 * dependency. A retry the budget refuses rethrows the error of the attempt that failed.
 *
 * The window is kept in ten buckets, so calls and retries leave it in steps of `windowMs / 10`.
 *
 * @example
 * const budget = new RetryBudget({ ratio: 0.1 });
 * const readPolicy = new RetryPolicy({ maxRetries: 3, budget });
 * const writePolicy = new RetryPolicy({ maxRetries: 1, budget });
 */
export class RetryBudget {
  /** Retries earned per call. */
  readonly ratio: number;
  /** Retries always allowed per second of the window. */
  readonly minRetriesPerSecond: number;
  /** How far back calls and retries are counted. */
  readonly windowMs: number;
  readonly #clock: Clock;
  readonly #bucketMs: number;
  readonly #reserve: number;
  readonly #calls = new Float64Array(BUCKETS);
  readonly #retries = new Float64Array(BUCKETS);
  #head = 0;
  #headStartMs: number;
  #totalCalls = 0;
  #totalRetries = 0;

  constructor(config: RetryBudgetConfig = {}) {
    validateConfig<RetryBudgetConfig>('RetryBudgetConfig', config, schema);
    this.ratio = config.ratio ?? 0.2;
    this.minRetriesPerSecond = config.minRetriesPerSecond ?? 10;
    this.windowMs = config.windowMs ?? 10_000;
    this.#clock = config.clock ?? systemClock;
    this.#bucketMs = this.windowMs / BUCKETS;
    this.#reserve = (this.minRetriesPerSecond * this.windowMs) / 1000;
    this.#headStartMs = this.#clock.now();
  }

  /** Counts one call (a first attempt); every call earns `ratio` of a retry. */
  recordCall(): void {
    this.#rotate();
    this.#calls[this.#head]!++;
    this.#totalCalls++;
  }

  /** Takes one retry from the budget; `false` when none is left and the retry must not be made. */
  tryRetry(): boolean {
    this.#rotate();
    if (this.#available() < 1) return false;
    this.#retries[this.#head]!++;
    this.#totalRetries++;
    return true;
  }

  /** The calls, granted retries and available retries of the current window. */
  getStats(): RetryBudgetStats {
    this.#rotate();
    return {
      calls: this.#totalCalls,
      retries: this.#totalRetries,
      available: Math.max(0, Math.floor(this.#available())),
    };
  }

  #available(): number {
    return this.#reserve + this.ratio * this.#totalCalls - this.#totalRetries;
  }

  #rotate(): void {
    const elapsed = this.#clock.now() - this.#headStartMs;
    if (elapsed < this.#bucketMs) return;
    const steps = Math.floor(elapsed / this.#bucketMs);
    for (let step = 0; step < Math.min(steps, BUCKETS); step++) {
      this.#head = (this.#head + 1) % BUCKETS;
      this.#totalCalls -= this.#calls[this.#head]!;
      this.#totalRetries -= this.#retries[this.#head]!;
      this.#calls[this.#head] = 0;
      this.#retries[this.#head] = 0;
    }
    this.#headStartMs += steps * this.#bucketMs;
  }
}
