import {
  contextFor,
  executeSyncCapable,
  isThenable,
  type PolicyContext,
  type PolicyFunction,
  rules,
  runSync,
  type SyncCapablePolicy,
  validateConfig,
} from '../core/index.js';
import { metricsCallbacks } from '../metrics/index.js';

/** The value to use instead of a failed call's result, or a function of the error that builds it. */
export type Fallback<T> = T | ((error: unknown) => T | PromiseLike<T>);

/** Options of {@link FallbackPolicy} and {@link withFallback}. */
export interface FallbackOptions {
  /**
   * Which errors the fallback replaces; others are rethrown unchanged.
   * @default every error
   */
  on?: ((error: unknown) => boolean) | undefined;
  /**
   * The name reported to metrics.
   * @default 'fallback'
   */
  name?: string | undefined;
  /** Append the call's `AbortSignal` as one extra last argument (HOF and decorator only). @default false */
  passSignal?: boolean | undefined;
}

const schema = { on: rules.function, name: rules.string, passSignal: rules.boolean };

/**
 * Answers with a fallback when the call fails. A synchronous function stays synchronous.
 *
 * @example
 * const cached = new FallbackPolicy(() => lastKnownPrices, { on: (error) => isCircuitBreakerOpenError(error) });
 * const prices = await cached.execute(() => pricing.fetch());
 */
export class FallbackPolicy<R = unknown> implements SyncCapablePolicy {
  readonly #fallback: Fallback<R>;
  readonly #on: (error: unknown) => boolean;
  readonly name: string;

  constructor(fallback: Fallback<R>, options: FallbackOptions = {}) {
    validateConfig<FallbackOptions>('FallbackOptions', options, schema);
    this.#fallback = fallback;
    this.#on = options.on ?? (() => true);
    this.name = options.name ?? 'fallback';
  }

  execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    return executeSyncCapable(this, fn, signal);
  }

  [runSync]<T>(fn: PolicyFunction<T>, signal?: AbortSignal): T | Promise<T> {
    const context: PolicyContext = contextFor(signal);
    let result: T | PromiseLike<T>;
    try {
      result = fn(context);
    } catch (error) {
      return this.#recover(error, signal) as T | Promise<T>;
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(undefined, (error: unknown) =>
        this.#recover(error, signal),
      ) as Promise<T>;
    }
    return result;
  }

  #recover(error: unknown, signal: AbortSignal | undefined): unknown {
    // A cancelled call is the caller's decision, not a failure to paper over.
    if ((signal?.aborted && error === signal.reason) || !this.#on(error)) throw error;
    metricsCallbacks?.callCompleted?.('fallback', this.name, 'fallback', 0);
    const fallback = this.#fallback;
    return typeof fallback === 'function' ? (fallback as (error: unknown) => unknown)(error) : fallback;
  }
}
