/** The built-in backoff strategies; see {@link RetryConfig.strategy}. */
export type BackoffName = 'exponential' | 'linear' | 'constant' | 'decorrelated';

/** A custom backoff: the delay in ms before retry number `attempt` (1 for the first retry). */
export type BackoffFunction = (attempt: number, error: unknown) => number;

/** A built-in strategy's name, or a function computing each delay. */
export type BackoffStrategy = BackoffName | BackoffFunction;

/** The backoff strategy names, as a frozen object: `BackoffStrategy.EXPONENTIAL === 'exponential'`. */
export const BackoffStrategy = Object.freeze({
  EXPONENTIAL: 'exponential',
  LINEAR: 'linear',
  CONSTANT: 'constant',
  DECORRELATED: 'decorrelated',
} as const);

/** The parts of a retry configuration a backoff reads. */
export interface BackoffSettings {
  readonly strategy: BackoffStrategy;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: boolean;
}

/**
 * The delays of one call's retries. Built-in strategies are capped at `maxDelayMs`, then
 * jittered: exponential, linear and constant use "equal jitter" (a uniform draw from the
 * upper half, `[d/2, d]`); decorrelated jitter draws from `[base, 3 × previous]` and, with
 * jitter off, follows that range's upper bound. A function's result is only capped.
 */
export class Backoff {
  readonly #settings: BackoffSettings;
  #previousMs: number;

  constructor(settings: BackoffSettings) {
    this.#settings = settings;
    this.#previousMs = settings.baseDelayMs;
  }

  /** The delay before retry number `attempt`. @throws RangeError when a custom strategy returns no valid delay. */
  next(attempt: number, error: unknown): number {
    const { strategy, baseDelayMs, maxDelayMs, jitter } = this.#settings;
    if (typeof strategy === 'function') {
      const delayMs = strategy(attempt, error);
      if (typeof delayMs !== 'number' || !(delayMs >= 0)) {
        throw new RangeError(
          `RetryConfig.strategy must return a delay in ms >= 0, returned ${String(delayMs)} for retry ${attempt}`,
          { cause: error },
        );
      }
      return Math.min(delayMs, maxDelayMs);
    }
    if (strategy === 'decorrelated') {
      const upperMs = Math.min(maxDelayMs, this.#previousMs * 3);
      const lowerMs = Math.min(baseDelayMs, upperMs);
      this.#previousMs = jitter ? lowerMs + Math.random() * (upperMs - lowerMs) : upperMs;
      return this.#previousMs;
    }
    const nominalMs = Math.min(maxDelayMs, nominalDelay(strategy, baseDelayMs, attempt));
    return jitter ? nominalMs / 2 + (Math.random() * nominalMs) / 2 : nominalMs;
  }
}

function nominalDelay(
  strategy: 'exponential' | 'linear' | 'constant',
  baseDelayMs: number,
  attempt: number,
): number {
  switch (strategy) {
    case 'exponential':
      return baseDelayMs * 2 ** (attempt - 1);
    case 'linear':
      return baseDelayMs * attempt;
    case 'constant':
      return baseDelayMs;
  }
}
