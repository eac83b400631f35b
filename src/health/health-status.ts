/** The health of a check, or of a whole checker. */
export const HealthStatus = Object.freeze({
  HEALTHY: 'healthy',
  DEGRADED: 'degraded',
  UNHEALTHY: 'unhealthy',
  UNKNOWN: 'unknown',
} as const);
export type HealthStatus = (typeof HealthStatus)[keyof typeof HealthStatus];

/**
 * Which probe a check answers: `liveness` checks the process itself (a failure restarts it,
 * so never check a dependency here), `readiness` checks what serving traffic needs (a
 * failure takes the instance out of rotation), `startup` checks slow initialisation and
 * stops running once it has passed.
 */
export const HealthCheckKind = Object.freeze({
  LIVENESS: 'liveness',
  READINESS: 'readiness',
  STARTUP: 'startup',
} as const);
export type HealthCheckKind = (typeof HealthCheckKind)[keyof typeof HealthCheckKind];

const statuses: ReadonlySet<unknown> = new Set(Object.values(HealthStatus));

/** Whether `value` is one of the {@link HealthStatus} values. */
export function isHealthStatus(value: unknown): value is HealthStatus {
  return statuses.has(value);
}
