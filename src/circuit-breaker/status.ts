import type { CircuitState, FailureType } from './circuit-state.js';
import type { WindowSnapshot } from './sliding-window.js';
import type { SharedStateStatus } from './state-store.js';

/** What `getMetrics()` reports: counts since creation or `reset()`, rates over the sliding window. */
export interface CircuitBreakerMetrics {
  /** Calls that ran and were counted; rejections and ignored errors are not calls. */
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  /** Calls refused without running. */
  readonly rejections: number;
  /** Failures over calls in the window, 0..1. */
  readonly failureRate: number;
  /** Slow calls over calls in the window, 0..1. */
  readonly slowCallRate: number;
  readonly state: CircuitState;
  /** When the breaker last opened; `undefined` once it has closed again. */
  readonly openedAt: number | undefined;
  /** While open, when the cooldown ends. */
  readonly nextAttemptAt: number | undefined;
  /** How many times the breaker has opened on its own. */
  readonly trips: number;
}

/** What `getStatus()` reports. */
export interface CircuitBreakerStatus extends CircuitBreakerMetrics {
  readonly name: string;
  readonly consecutiveFailures: number;
  readonly successes: number;
  /** Failures that were timeouts (`FailureType.TIMEOUT`). */
  readonly timeouts: number;
  /** Errors matched by `ignoreErrors`, and calls their caller aborted: counted apart from calls. */
  readonly ignored: number;
  /** Calls a `withCircuitBreaker` fallback answered: counted apart from calls. */
  readonly fallbacks: number;
  readonly window: {
    readonly type: 'count' | 'time';
    readonly size: number;
    readonly calls: number;
    readonly failures: number;
    readonly slowCalls: number;
  };
  /** The failure-rate threshold in force: the configured one, or the adapted one with `adaptiveThresholds`. */
  readonly failureRateThreshold: number;
  /** Trial calls running now (half-open only). */
  readonly trialCalls: number;
  readonly lastFailureType: FailureType | undefined;
  /** The last result of each attached health check, by name. */
  readonly health: Readonly<Record<string, boolean>> | undefined;
  /** Present with a `stateStore`: whether state is shared right now, and what all processes counted. */
  readonly sharedState?: SharedStateStatus;
}

/** What `toJSON()` returns and `CircuitBreaker.fromJSON()` accepts. */
export interface CircuitBreakerSnapshot {
  readonly version: 1;
  readonly name: string;
  readonly state: CircuitState;
  readonly openedAt: number | null;
  readonly nextAttemptAt: number | null;
  readonly consecutiveFailures: number;
  readonly consecutiveTrips: number;
  readonly trialSuccesses: number;
  readonly counts: {
    readonly calls: number;
    readonly successes: number;
    readonly failures: number;
    readonly slowCalls: number;
    readonly timeouts: number;
    readonly rejections: number;
    readonly ignored: number;
    readonly fallbacks: number;
    readonly trips: number;
  };
  readonly window: WindowSnapshot;
  readonly baseline: { readonly average: number; readonly decay: number } | null;
}
