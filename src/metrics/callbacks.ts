import { type Disposable, toDisposable } from '../core/index.js';

/** The kind of policy a call went through, as reported to {@link MetricsCallbacks.callCompleted}. */
export type PolicyKind =
  | 'circuit_breaker'
  | 'retry'
  | 'timeout'
  | 'bulkhead'
  | 'fallback'
  | 'rate_limiter'
  | 'hedge'
  | 'adaptive_concurrency';

/**
 * How a call ended: `success`, `failure` (the function threw or its result counted as a
 * failure), `timeout`, `rejected` (refused before running: an open breaker, a full
 * bulkhead, a rate limit), `fallback` (a fallback answered instead) or `ignored` (an
 * error the policy was told to ignore).
 */
export type CallOutcome = 'success' | 'failure' | 'timeout' | 'rejected' | 'fallback' | 'ignored';

/**
 * Hooks every policy reports through. Implement any subset; `bulwark/prometheus` and
 * `bulwark/opentelemetry` provide complete implementations.
 */
export interface MetricsCallbacks {
  circuitBreakerStateChanged(name: string, oldState: string, newState: string): void;
  /** `attempt` is the retry's number, 1 for the first retry. */
  retryAttempt(operation: string, attempt: number, delayMs: number): void;
  retryExhausted(operation: string, attempts: number): void;
  timeoutOccurred(operation: string, durationMs: number): void;
  healthStatusChanged(name: string, oldStatus: string, newStatus: string): void;
  callCompleted(policy: PolicyKind, name: string, outcome: CallOutcome, durationMs: number): void;
  /** A bulkhead's occupancy changed. */
  bulkheadChanged(name: string, active: number, queued: number): void;
}

/** The process-wide callbacks; policies read this binding, so with none installed reporting costs one check. */
export let metricsCallbacks: Partial<MetricsCallbacks> | undefined;

/**
 * Installs process-wide metrics callbacks that every policy reports through, replacing
 * any installed before. Dispose the result to restore the previous ones.
 *
 * @example
 * setMetricsCallbacks(createMetricsCallbacks({ namespace: 'shop' })); // from bulwark/prometheus
 */
export function setMetricsCallbacks(callbacks: Partial<MetricsCallbacks> | undefined): Disposable {
  if (callbacks !== undefined && (typeof callbacks !== 'object' || callbacks === null)) {
    throw new TypeError(
      `setMetricsCallbacks(callbacks): callbacks must be an object or undefined, received ${typeof callbacks}`,
    );
  }
  for (const [key, value] of Object.entries(callbacks ?? {})) {
    if (value !== undefined && typeof value !== 'function') {
      throw new TypeError(
        `setMetricsCallbacks(callbacks): callbacks.${key} must be a function, received ${typeof value}`,
      );
    }
  }
  const previous = metricsCallbacks;
  metricsCallbacks = callbacks;
  return toDisposable(() => {
    if (metricsCallbacks === callbacks) metricsCallbacks = previous;
  });
}

/** The callbacks currently installed, if any. */
export function getMetricsCallbacks(): Partial<MetricsCallbacks> | undefined {
  return metricsCallbacks;
}
