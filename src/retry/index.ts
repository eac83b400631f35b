/**
 * Retry with backoff, a retry budget shared between policies, and their errors.
 * @module
 */
export {
  type BackoffFunction,
  type BackoffName,
  BackoffStrategy,
} from './backoff.js';
export { isRetryExhaustedError, RetryExhaustedError } from './errors.js';
export { RetryBudget, type RetryBudgetConfig, type RetryBudgetStats } from './retry-budget.js';
export { type RetryConfig, type RetryEvent, RetryPolicy } from './retry-policy.js';
export { retry, type WithRetryOptions, withRetry } from './with-retry.js';
