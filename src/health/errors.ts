import { BulwarkError, errorGuard } from '../core/index.js';

/** A health check did not finish within its `timeoutMs`; the check counts as failed. */
export class HealthCheckTimeoutError extends BulwarkError {
  /** The check that took too long. */
  readonly checkName: string;
  readonly timeoutMs: number;

  constructor(checkName: string, timeoutMs: number) {
    super('HEALTH_CHECK_TIMEOUT', `Health check "${checkName}" did not finish within ${timeoutMs} ms`);
    this.name = 'HealthCheckTimeoutError';
    this.checkName = checkName;
    this.timeoutMs = timeoutMs;
  }
}

/** Whether `value` is a {@link HealthCheckTimeoutError}, from any copy of bulwark. */
export const isHealthCheckTimeoutError = errorGuard<HealthCheckTimeoutError>('HEALTH_CHECK_TIMEOUT');
