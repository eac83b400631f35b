import { type PassesSignal, type PolicyFaces, policyFaces, type WrapOptions } from '../core/index.js';
import {
  AdaptiveConcurrencyLimiter,
  type AdaptiveConcurrencyOptions,
} from './adaptive-concurrency-limiter.js';

/** Options of {@link withAdaptiveConcurrency}: the limiter's options plus `passSignal`. */
export interface WithAdaptiveConcurrencyOptions extends AdaptiveConcurrencyOptions, WrapOptions {}

/**
 * Limits the wrapped function's concurrency to a limit that adapts to latency and drops:
 * a method decorator (`@withAdaptiveConcurrency({ algorithm: 'gradient2' })`) or a
 * higher-order function. Each wrapped function or decorated method gets one limiter shared
 * by all its callers and instances; pass an {@link AdaptiveConcurrencyLimiter} to share one.
 *
 * @example
 * const query = withAdaptiveConcurrency({ algorithm: 'aimd', maxLimit: 50 })(db.query);
 *
 * @throws TypeError or RangeError when an option is invalid.
 */
export function withAdaptiveConcurrency<O extends WithAdaptiveConcurrencyOptions>(
  options: O | AdaptiveConcurrencyLimiter = {} as O,
): PolicyFaces<true, PassesSignal<O>> {
  let limiter: AdaptiveConcurrencyLimiter;
  let passSignal: boolean | undefined;
  if (options instanceof AdaptiveConcurrencyLimiter) limiter = options;
  else {
    const { passSignal: pass, ...config } = options ?? ({} as O);
    if (pass !== undefined && typeof pass !== 'boolean') {
      throw new TypeError(
        `WithAdaptiveConcurrencyOptions.passSignal must be a boolean, received ${typeof pass}`,
      );
    }
    passSignal = pass;
    limiter = new AdaptiveConcurrencyLimiter(config);
  }
  return policyFaces(
    'withAdaptiveConcurrency',
    {
      policy: 'adaptiveConcurrency',
      options: options instanceof AdaptiveConcurrencyLimiter ? { name: limiter.name } : options,
    },
    () => () => limiter,
    passSignal,
  );
}
