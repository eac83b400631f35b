/**
 * Circuit breakers: a state machine over sliding windows, a registry, and the
 * `withCircuitBreaker` decorator and higher-order function.
 * @module
 */
export { AdvancedCircuitBreaker, BaseCircuitBreaker, CircuitBreaker } from './circuit-breaker.js';
export {
  CircuitState,
  type CircuitStateChange,
  FailureType,
  type StateChangeReason,
} from './circuit-state.js';
export type { CircuitBreakerConfig, ErrorClass, SlidingWindowConfig } from './config.js';
export {
  CircuitBreakerOpenError,
  CircuitBreakerOpenError as CircuitBreakerOpen,
  CircuitBreakerTimeoutError,
  isCircuitBreakerOpenError,
  isCircuitBreakerTimeoutError,
} from './errors.js';
export type { BreakerHealthCheck, BreakerHealthCheckFunction } from './health-checks.js';
export {
  CircuitBreakerRegistry,
  defaultCircuitBreakerRegistry,
  getAllCircuitBreakers,
  getCircuitBreaker,
  resetAllCircuitBreakers,
} from './registry.js';
export type { WindowSnapshot } from './sliding-window.js';
export type {
  BreakerStateLink,
  BreakerStateStore,
  SharedBreaker,
  SharedBreakerState,
  SharedOutcomeCounts,
  SharedStateStatus,
} from './state-store.js';
export type { CircuitBreakerMetrics, CircuitBreakerSnapshot, CircuitBreakerStatus } from './status.js';
export { type WithCircuitBreakerOptions, withCircuitBreaker } from './with-circuit-breaker.js';
