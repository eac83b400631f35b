export type { HealthCheckedBreaker } from './breaker-check.js';
export type { HealthCheckContext, HealthCheckFunction, HealthCheckResult } from './check.js';
export { HealthCheckTimeoutError, isHealthCheckTimeoutError } from './errors.js';
export {
  type CheckAllOptions,
  type CircuitBreakerCheckOptions,
  HealthChecker,
  type HealthCheckerConfig,
  type HealthCheckOptions,
  type HealthCheckReport,
  type HealthReport,
  type HealthStatusChangeEvent,
} from './health-checker.js';
export {
  HEALTH_JSON_CONTENT_TYPE,
  type HealthHandlerOptions,
  type HealthJson,
  type HealthJsonCheck,
  type HealthJsonStatus,
  type HealthResponse,
  healthHandler,
  healthResponse,
} from './health-handler.js';
export { HealthCheckKind, HealthStatus, isHealthStatus } from './health-status.js';
