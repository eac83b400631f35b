/** The states of a circuit breaker. */
export const CircuitState = Object.freeze({
  /** Calls run and their outcomes are counted; thresholds may open the breaker. */
  CLOSED: 'closed',
  /** Calls are rejected until the cooldown has elapsed. */
  OPEN: 'open',
  /** A limited number of trial calls run; their outcomes close or reopen the breaker. */
  HALF_OPEN: 'half_open',
  /** Opened by hand with `forceOpen()`: every call is rejected until `forceClose()` or `reset()`. */
  FORCED_OPEN: 'forced_open',
  /** Every call runs and nothing is counted. */
  DISABLED: 'disabled',
  /** Every call runs and is counted, but the breaker never changes state on its own. */
  METRICS_ONLY: 'metrics_only',
} as const);

/** One of the {@link CircuitState} values. */
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];

/** Why a call counted as a failure. */
export const FailureType = Object.freeze({
  TIMEOUT: 'timeout',
  ERROR: 'error',
  REJECTION: 'rejection',
  RESOURCE_EXHAUSTED: 'resource_exhausted',
  SLOW_CALL: 'slow_call',
  ANOMALY_DETECTED: 'anomaly_detected',
  CONSENSUS_FAILURE: 'consensus_failure',
} as const);

/** One of the {@link FailureType} values. */
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Why a breaker changed state, as reported by `onStateChange`. */
export type StateChangeReason =
  /** `failureThreshold` consecutive failures. */
  | 'failure_threshold'
  /** The failure rate over the window reached its threshold. */
  | 'failure_rate'
  /** The slow-call rate over the window reached its threshold. */
  | 'slow_call_rate'
  /** The cooldown elapsed and a call (or a read of `state`) found the breaker open. */
  | 'cooldown_elapsed'
  /** A passing health check ended the cooldown early (`autoHealing`). */
  | 'health_check'
  /** `successThreshold` trial calls succeeded. */
  | 'trial_succeeded'
  /** A trial call failed or was slow. */
  | 'trial_failed'
  | 'forced_open'
  | 'forced_close'
  | 'disabled'
  | 'metrics_only'
  | 'reset'
  /** Another process sharing the breaker's state (see `stateStore`) changed it. */
  | 'shared_state';

/** The payload of `onStateChange`. */
export interface CircuitStateChange {
  readonly name: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
  readonly reason: StateChangeReason;
}
