import { HealthStatus } from './health-status.js';

/** What one run of a check found: it passed, passed degraded, or failed. */
export type RunVerdict = 'pass' | 'warn' | 'fail';

/** A check's standing between runs. */
export interface CheckState {
  readonly status: HealthStatus;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
}

export const initialCheckState: CheckState = Object.freeze({
  status: HealthStatus.UNKNOWN,
  consecutiveFailures: 0,
  consecutiveSuccesses: 0,
});

/**
 * The state after one run. A failure below `failureThreshold` is tolerated as `degraded`;
 * reaching it makes the check `unhealthy`, and it stays so until `successThreshold`
 * consecutive runs succeed (as Kubernetes counts probe results).
 */
export function advanceCheckState(
  state: CheckState,
  verdict: RunVerdict,
  failureThreshold: number,
  successThreshold: number,
): CheckState {
  if (verdict === 'fail') {
    const consecutiveFailures = state.consecutiveFailures + 1;
    const unhealthy = consecutiveFailures >= failureThreshold || state.status === HealthStatus.UNHEALTHY;
    return {
      status: unhealthy ? HealthStatus.UNHEALTHY : HealthStatus.DEGRADED,
      consecutiveFailures,
      consecutiveSuccesses: 0,
    };
  }
  const consecutiveSuccesses = state.consecutiveSuccesses + 1;
  const recovering = state.status === HealthStatus.UNHEALTHY && consecutiveSuccesses < successThreshold;
  return {
    status: recovering
      ? HealthStatus.UNHEALTHY
      : verdict === 'pass'
        ? HealthStatus.HEALTHY
        : HealthStatus.DEGRADED,
    consecutiveFailures: 0,
    consecutiveSuccesses,
  };
}
