import { BulwarkError, errorGuard, withoutStackTrace } from '../core/index.js';
import { FailureType } from './circuit-state.js';

/**
 * Thrown instead of running a call while a breaker is open, forced open, or out of
 * half-open trial slots. Created without a stack trace: the rejection is the fast path.
 */
export class CircuitBreakerOpenError extends BulwarkError {
  /** The breaker that refused the call. */
  readonly breakerName: string;
  /** How long until the breaker lets a call through again; `Infinity` while forced open. */
  readonly retryAfterMs: number;

  constructor(breakerName: string, retryAfterMs: number) {
    super('CIRCUIT_OPEN', `Circuit breaker "${breakerName}" is open; retry after ${retryAfterMs} ms`);
    this.name = 'CircuitBreakerOpenError';
    this.breakerName = breakerName;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Whether `value` is a {@link CircuitBreakerOpenError}, from any copy of bulwark. */
export const isCircuitBreakerOpenError = errorGuard<CircuitBreakerOpenError>('CIRCUIT_OPEN');

export function openError(breakerName: string, retryAfterMs: number): CircuitBreakerOpenError {
  return withoutStackTrace(() => new CircuitBreakerOpenError(breakerName, retryAfterMs));
}

/** A call through a breaker with `timeoutMs` ran past it; counted as a {@link FailureType.TIMEOUT} failure. */
export class CircuitBreakerTimeoutError extends BulwarkError {
  readonly breakerName: string;
  readonly timeoutMs: number;
  readonly failureType = FailureType.TIMEOUT;

  constructor(breakerName: string, timeoutMs: number) {
    super('CIRCUIT_TIMEOUT', `Call through circuit breaker "${breakerName}" timed out after ${timeoutMs} ms`);
    this.name = 'CircuitBreakerTimeoutError';
    this.breakerName = breakerName;
    this.timeoutMs = timeoutMs;
  }
}

/** Whether `value` is a {@link CircuitBreakerTimeoutError}, from any copy of bulwark. */
export const isCircuitBreakerTimeoutError = errorGuard<CircuitBreakerTimeoutError>('CIRCUIT_TIMEOUT');
