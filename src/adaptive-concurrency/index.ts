/**
 * Adaptive concurrency: a bulkhead whose limit follows latency and drops (AIMD, Gradient2).
 * @module
 */
export {
  AdaptiveConcurrencyLimiter,
  type AdaptiveConcurrencyOptions,
  type AdaptiveConcurrencyStats,
  ConcurrencyLimitAlgorithm,
} from './adaptive-concurrency-limiter.js';
export { type WithAdaptiveConcurrencyOptions, withAdaptiveConcurrency } from './with-adaptive-concurrency.js';
