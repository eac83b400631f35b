import { BulwarkError, errorGuard } from '../core/index.js';

/** Thrown when every attempt a retry policy allowed has failed; `cause` is the last error. */
export class RetryExhaustedError extends BulwarkError {
  /** How many attempts were made, the first call included. */
  readonly attempts: number;

  constructor(attempts: number, cause: unknown) {
    super(
      'RETRY_EXHAUSTED',
      `Gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${describe(cause)}`,
      {
        cause,
      },
    );
    this.name = 'RetryExhaustedError';
    this.attempts = attempts;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether `value` is a {@link RetryExhaustedError}, from any installed copy of bulwark. */
export const isRetryExhaustedError = errorGuard<RetryExhaustedError>('RETRY_EXHAUSTED');
