import { BulkheadRejectedError } from '../bulkhead/index.js';
import {
  type Clock,
  contextFor,
  isBulwarkError,
  type Policy,
  type PolicyFunction,
  rules,
  systemClock,
  validateConfig,
  withoutStackTrace,
} from '../core/index.js';
import { type CallOutcome, metricsCallbacks } from '../metrics/index.js';
import { AimdLimit } from './aimd-limit.js';
import { Gradient2Limit } from './gradient2-limit.js';
import type { LimitAlgorithm } from './limit-algorithm.js';

/** How an {@link AdaptiveConcurrencyLimiter} computes its limit. */
export type ConcurrencyLimitAlgorithm = 'aimd' | 'gradient2';

/** How an {@link AdaptiveConcurrencyLimiter} computes its limit, as a frozen object of its string values. */
export const ConcurrencyLimitAlgorithm = Object.freeze({
  AIMD: 'aimd',
  GRADIENT2: 'gradient2',
} as const);

/** Options of {@link AdaptiveConcurrencyLimiter} and {@link withAdaptiveConcurrency}. */
export interface AdaptiveConcurrencyOptions {
  /**
   * `'aimd'` (additive increase, multiplicative decrease on drops) or `'gradient2'`
   * (follows the ratio of long-term to current latency).
   * @default 'aimd'
   */
  algorithm?: ConcurrencyLimitAlgorithm | undefined;
  /** @default 20 */
  initialLimit?: number | undefined;
  /** @default 1 */
  minLimit?: number | undefined;
  /** @default 200 */
  maxLimit?: number | undefined;
  /**
   * AIMD: what the limit is multiplied by on a drop.
   * @default 0.9
   */
  backoffRatio?: number | undefined;
  /**
   * AIMD: a call slower than this counts as a drop (the call itself is not cancelled).
   * @default 5000
   */
  maxLatencyMs?: number | undefined;
  /**
   * Gradient2: how much of each new estimate is taken, from 0 (none) to 1 (all).
   * @default 0.2
   */
  smoothing?: number | undefined;
  /**
   * Gradient2: how many calls the limit grows by, smoothed, while no queueing is measured.
   * @default 4
   */
  queueSize?: number | undefined;
  /**
   * Gradient2: how many samples the long-term latency average spans.
   * @default 600
   */
  longWindow?: number | undefined;
  /**
   * Gradient2: how much slower than the long-term average a call may be before the limit shrinks.
   * @default 1.5
   */
  rttTolerance?: number | undefined;
  /**
   * Which errors are drops (an overloaded downstream), which lower the limit. Other errors
   * are not sampled.
   * @default timeouts and rejections: bulwark's TIMEOUT, BULKHEAD_FULL, RATE_LIMITED and
   * CIRCUIT_OPEN errors, and errors named TimeoutError
   */
  isDrop?: ((error: unknown) => boolean) | undefined;
  /**
   * The name reported in errors and to metrics.
   * @default 'adaptive-concurrency'
   */
  name?: string | undefined;
  /**
   * The clock that times calls.
   * @default systemClock
   */
  clock?: Clock | undefined;
}

/** An adaptive limiter's limit, occupancy and refusals. */
export interface AdaptiveConcurrencyStats {
  /** The current limit. */
  readonly limit: number;
  /** Calls running now. */
  readonly active: number;
  /** Calls refused since the limiter was created. */
  readonly rejected: number;
}

const schema = {
  algorithm: rules.oneOf('aimd', 'gradient2'),
  initialLimit: rules.integer(1),
  minLimit: rules.integer(1),
  maxLimit: rules.integer(1),
  backoffRatio: {
    expected: 'a number from 0.5 up to (not including) 1',
    type: 'range' as const,
    test: (value: unknown) => typeof value === 'number' && value >= 0.5 && value < 1,
  },
  maxLatencyMs: rules.duration(1, { infinite: true }),
  smoothing: rules.fraction,
  queueSize: rules.number(0),
  longWindow: rules.integer(1),
  rttTolerance: rules.number(1),
  isDrop: rules.function,
  name: rules.string,
  clock: rules.clock,
};

const dropCodes: ReadonlySet<string> = new Set(['TIMEOUT', 'BULKHEAD_FULL', 'RATE_LIMITED', 'CIRCUIT_OPEN']);

function isTimeoutOrRejection(error: unknown): boolean {
  if (isBulwarkError(error)) return dropCodes.has(error.code);
  return (error as { name?: unknown } | null)?.name === 'TimeoutError';
}

/**
 * A bulkhead whose limit adapts to the downstream: it follows measured latency and drops
 * (calls that time out or are rejected further down), using the AIMD or Gradient2 formulas
 * of Netflix's concurrency-limits. Calls beyond the limit are refused at once with
 * {@link BulkheadRejectedError}; refusals are not drops.
 *
 * @example
 * const limiter = new AdaptiveConcurrencyLimiter({ algorithm: 'gradient2', name: 'search' });
 * const hits = await limiter.execute(({ signal }) => search.query(q, { signal }));
 * limiter.limit; // e.g. 34
 *
 * @throws TypeError or RangeError at construction when an option is invalid.
 */
export class AdaptiveConcurrencyLimiter implements Policy {
  readonly name: string;
  readonly algorithm: ConcurrencyLimitAlgorithm;
  readonly #limit: LimitAlgorithm;
  readonly #isDrop: (error: unknown) => boolean;
  readonly #clock: Clock;
  #active = 0;
  #rejected = 0;

  constructor(options: AdaptiveConcurrencyOptions = {}) {
    validateConfig<AdaptiveConcurrencyOptions>('AdaptiveConcurrencyOptions', options, schema);
    const minLimit = options.minLimit ?? 1;
    const maxLimit = options.maxLimit ?? 200;
    const initialLimit = options.initialLimit ?? Math.min(maxLimit, Math.max(minLimit, 20));
    if (minLimit > maxLimit) {
      throw new RangeError(
        `AdaptiveConcurrencyOptions.minLimit must be at most maxLimit (${maxLimit}), received ${minLimit}`,
      );
    }
    if (initialLimit < minLimit || initialLimit > maxLimit) {
      throw new RangeError(
        `AdaptiveConcurrencyOptions.initialLimit must be from minLimit (${minLimit}) to maxLimit (${maxLimit}), received ${initialLimit}`,
      );
    }
    const bounds = { initialLimit, minLimit, maxLimit };
    this.algorithm = options.algorithm ?? 'aimd';
    this.#limit =
      this.algorithm === 'aimd'
        ? new AimdLimit({
            ...bounds,
            backoffRatio: options.backoffRatio ?? 0.9,
            maxLatencyMs: options.maxLatencyMs ?? 5000,
          })
        : new Gradient2Limit({
            ...bounds,
            smoothing: options.smoothing ?? 0.2,
            queueSize: options.queueSize ?? 4,
            longWindow: options.longWindow ?? 600,
            rttTolerance: options.rttTolerance ?? 1.5,
          });
    this.#isDrop = options.isDrop ?? isTimeoutOrRejection;
    this.name = options.name ?? 'adaptive-concurrency';
    this.#clock = options.clock ?? systemClock;
  }

  /** How many calls may run at once now. */
  get limit(): number {
    return Math.floor(this.#limit.estimate);
  }

  /** The current limit, occupancy and refusals. */
  getStats(): AdaptiveConcurrencyStats {
    return { limit: this.limit, active: this.#active, rejected: this.#rejected };
  }

  /**
   * Runs `fn` if fewer than `limit` calls are running, otherwise rejects at once with
   * {@link BulkheadRejectedError}; the call's latency or drop then updates the limit.
   */
  execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const limit = this.limit;
    if (this.#active >= limit) {
      this.#rejected++;
      metricsCallbacks?.callCompleted?.('adaptive_concurrency', this.name, 'rejected', 0);
      return Promise.reject(withoutStackTrace(() => new BulkheadRejectedError(this.name, limit, 'full')));
    }
    return this.#run(fn, signal);
  }

  async #run<T>(fn: PolicyFunction<T>, signal: AbortSignal | undefined): Promise<T> {
    const inflight = ++this.#active;
    this.#changed();
    const startedAt = this.#clock.now();
    let outcome: CallOutcome = 'failure';
    try {
      const result = await fn(contextFor(signal));
      outcome = 'success';
      this.#limit.update({ rttMs: this.#clock.now() - startedAt, inflight, didDrop: false });
      return result;
    } catch (error) {
      // A caller's own cancellation says nothing about the downstream.
      if (!(signal?.aborted && error === signal.reason) && this.#isDrop(error)) {
        this.#limit.update({ rttMs: this.#clock.now() - startedAt, inflight, didDrop: true });
      }
      throw error;
    } finally {
      this.#active--;
      this.#changed();
      metricsCallbacks?.callCompleted?.(
        'adaptive_concurrency',
        this.name,
        outcome,
        this.#clock.now() - startedAt,
      );
    }
  }

  #changed(): void {
    metricsCallbacks?.bulkheadChanged?.(this.name, this.#active, 0);
  }
}
