import { type PassesSignal, type PolicyFaces, policyFaces, type WrapOptions } from '../core/index.js';
import { RateLimiter, type RateLimiterOptions } from './rate-limiter.js';

/** Options of {@link withRateLimit}: the limiter's options plus `passSignal`. */
export interface WithRateLimitOptions extends RateLimiterOptions, WrapOptions {}

/**
 * Limits how often the wrapped function starts: a method decorator
 * (`@withRateLimit({ limitForPeriod: 5, periodMs: 1000 })`) or a higher-order function.
 * Each wrapped function or decorated method gets one limiter shared by all its callers and
 * instances; pass a {@link RateLimiter} to share one between several functions.
 *
 * @example
 * const send = withRateLimit({ limitForPeriod: 30, periodMs: 1000, timeoutMs: 2000 })(sms.send);
 *
 * @throws TypeError or RangeError when an option is missing or invalid.
 */
export function withRateLimit<O extends WithRateLimitOptions>(
  options: O | RateLimiter,
): PolicyFaces<true, PassesSignal<O>> {
  let limiter: RateLimiter;
  let passSignal: boolean | undefined;
  if (options instanceof RateLimiter) limiter = options;
  else {
    const { passSignal: pass, ...config } = options ?? ({} as O);
    if (pass !== undefined && typeof pass !== 'boolean') {
      throw new TypeError(`WithRateLimitOptions.passSignal must be a boolean, received ${typeof pass}`);
    }
    passSignal = pass;
    limiter = new RateLimiter(config);
  }
  return policyFaces(
    'withRateLimit',
    { policy: 'rateLimiter', options: options instanceof RateLimiter ? { name: limiter.name } : options },
    () => () => limiter,
    passSignal,
  );
}
