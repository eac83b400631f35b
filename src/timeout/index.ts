/**
 * Timeouts that abort the call's signal at the deadline, with an optional fallback.
 * @module
 */
export { isTimeoutError, TimeoutError } from './errors.js';
export { type TimeoutFallback, type TimeoutOptions, TimeoutPolicy } from './timeout-policy.js';
export { timeout, type WithTimeoutOptions, withTimeout } from './with-timeout.js';
