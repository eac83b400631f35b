import type { Clock, Disposable } from '../core/index.js';
import { type CheckSnapshot, checkKey, type RegisteredCheck } from './check.js';
import { type HealthCheckKind, HealthStatus } from './health-status.js';

/**
 * What a health checker needs of a circuit breaker: `CircuitBreaker` fits, and so does
 * any object with a name, a state and state-change events.
 */
export interface HealthCheckedBreaker {
  readonly name: string;
  /** `'closed'`, `'open'`, `'half_open'`, `'forced_open'`, `'disabled'` or `'metrics_only'`. */
  readonly state: string;
  /** Consecutive failures, when the breaker counts them. */
  readonly failures?: number;
  onStateChange(listener: (change: unknown) => void): Disposable;
}

export interface BreakerCheckSettings {
  readonly name: string;
  readonly kind: HealthCheckKind;
  readonly critical: boolean;
  readonly clock: Clock;
  /** Called when the breaker changes state, so the checker can report at once. */
  readonly onChange: () => void;
}

/** A check that mirrors a circuit breaker's state: no I/O, so it is always current. */
export class BreakerCheck implements RegisteredCheck {
  readonly name: string;
  readonly kind: HealthCheckKind;
  readonly critical: boolean;
  readonly #key: string;
  readonly #breaker: HealthCheckedBreaker;
  readonly #clock: Clock;
  readonly #subscription: Disposable;
  #changedAt: number;

  constructor(breaker: HealthCheckedBreaker, settings: BreakerCheckSettings) {
    this.name = settings.name;
    this.kind = settings.kind;
    this.critical = settings.critical;
    this.#key = checkKey(settings.name, 'circuitState');
    this.#breaker = breaker;
    this.#clock = settings.clock;
    this.#changedAt = settings.clock.now();
    this.#subscription = breaker.onStateChange(() => {
      this.#changedAt = this.#clock.now();
      settings.onChange();
    });
  }

  refresh(): undefined {
    return undefined;
  }

  #status(state: string): HealthStatus {
    if (state === 'open' || state === 'forced_open') {
      return this.critical ? HealthStatus.UNHEALTHY : HealthStatus.DEGRADED;
    }
    // Half-open still lets trial calls through: degraded, so readiness keeps the traffic that heals it.
    return state === 'half_open' ? HealthStatus.DEGRADED : HealthStatus.HEALTHY;
  }

  snapshot(): CheckSnapshot {
    const state = this.#breaker.state;
    const status = this.#status(state);
    const open = state === 'open' || state === 'forced_open';
    const failures = this.#breaker.failures;
    const lastError = open ? `circuit breaker "${this.#breaker.name}" is ${state}` : undefined;
    return {
      name: this.name,
      key: this.#key,
      kind: this.kind,
      critical: this.critical,
      status,
      latencyMs: 0,
      consecutiveFailures: typeof failures === 'number' ? failures : 0,
      lastError,
      observedValue: state,
      observedUnit: undefined,
      output: lastError,
      time: this.#changedAt,
    };
  }

  dispose(): void {
    this.#subscription.dispose();
  }
}
