/**
 * Rate limiting: a token bucket that refuses or delays calls beyond a rate.
 * @module
 */
export { isRateLimitedError, RateLimitedError } from './rate-limited-error.js';
export { RateLimiter, type RateLimiterOptions, type RateLimiterStats } from './rate-limiter.js';
export { type WithRateLimitOptions, withRateLimit } from './with-rate-limit.js';
