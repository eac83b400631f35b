export {
  AdaptiveConcurrencyLimiter,
  type AdaptiveConcurrencyOptions,
  type AdaptiveConcurrencyStats,
  ConcurrencyLimitAlgorithm,
  type WithAdaptiveConcurrencyOptions,
  withAdaptiveConcurrency,
} from './adaptive-concurrency/index.js';
export {
  Bulkhead,
  type BulkheadOptions,
  BulkheadRejectedError,
  BulkheadRejectionReason,
  type BulkheadStats,
  isBulkheadRejectedError,
  type WithBulkheadOptions,
  withBulkhead,
} from './bulkhead/index.js';
export {
  abortableSleep,
  BulwarkError,
  type ClassDecorator,
  type Clock,
  type Disposable,
  type Event,
  getResilienceMetadata,
  isBulwarkError,
  type Listener,
  type MethodDecorator,
  Pipeline,
  type Policy,
  type PolicyContext,
  type PolicyFaces,
  type PolicyFunction,
  type PolicyMetadata,
  pipeline,
  REFLECT_METADATA_KEY,
  type ResilienceMetadata,
  systemClock,
  type TimerHandle,
  type WrapOptions,
} from './core/index.js';
export { type Fallback, type FallbackOptions, FallbackPolicy, withFallback } from './fallback/index.js';
export {
  HedgeLostError,
  type HedgeOptions,
  HedgePolicy,
  isHedgeLostError,
  type WithHedgeOptions,
  withHedge,
} from './hedge/index.js';
export {
  type CallOutcome,
  getMetricsCallbacks,
  type MetricsCallbacks,
  type PolicyKind,
  setMetricsCallbacks,
} from './metrics/index.js';
export {
  isRateLimitedError,
  RateLimitedError,
  RateLimiter,
  type RateLimiterOptions,
  type RateLimiterStats,
  type WithRateLimitOptions,
  withRateLimit,
} from './rate-limit/index.js';
