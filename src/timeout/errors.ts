import { BulwarkError, errorGuard } from '../core/index.js';

/** Thrown (and used as the abort reason of the call's signal) when a call outlives its timeout. */
export class TimeoutError extends BulwarkError {
  /** The timeout the call exceeded. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number, message = `Timed out after ${timeoutMs} ms`) {
    super('TIMEOUT', message);
    this.name = 'TimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** Whether `value` is a {@link TimeoutError}, from any installed copy of bulwark. */
export const isTimeoutError = errorGuard<TimeoutError>('TIMEOUT');
