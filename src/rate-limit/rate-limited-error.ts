import { BulwarkError, errorGuard } from '../core/index.js';

/** Thrown when a rate limiter has no token for a call within its `timeoutMs`. */
export class RateLimitedError extends BulwarkError {
  /** The rate limiter's name. */
  readonly limiterName: string;
  /** How long until a token would be free for this call; wait at least this long before trying again. */
  readonly retryAfterMs: number;

  constructor(limiterName: string, retryAfterMs: number) {
    super('RATE_LIMITED', `Rate limiter "${limiterName}" has no permit; retry after ${retryAfterMs} ms`);
    this.name = 'RateLimitedError';
    this.limiterName = limiterName;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Whether `value` is a {@link RateLimitedError} from any copy of bulwark. */
export const isRateLimitedError = errorGuard<RateLimitedError>('RATE_LIMITED');
