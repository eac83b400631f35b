import pTimeout from 'p-timeout';
import type { Clock, TimerHandle } from '../core/index.js';
import {
  type CheckSnapshot,
  checkKey,
  errorMessage,
  type HealthCheckFunction,
  type HealthCheckResult,
  type RegisteredCheck,
} from './check.js';
import { advanceCheckState, type CheckState, initialCheckState, type RunVerdict } from './check-state.js';
import { HealthCheckTimeoutError } from './errors.js';
import { HealthCheckKind, HealthStatus, isHealthStatus } from './health-status.js';

export interface FunctionCheckSettings {
  readonly name: string;
  readonly kind: HealthCheckKind;
  readonly critical: boolean;
  readonly timeoutMs: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
  readonly clock: Clock;
}

interface Finding {
  readonly verdict: RunVerdict;
  readonly result: HealthCheckResult | undefined;
  readonly error: unknown;
}

const verdicts: Record<HealthStatus, RunVerdict> = {
  healthy: 'pass',
  degraded: 'warn',
  unknown: 'warn',
  unhealthy: 'fail',
};

/** Reads what a check returned: only `false`, a status or a status-carrying result mean anything. */
function interpret(value: unknown): Finding {
  if (value === false)
    return { verdict: 'fail', result: undefined, error: new Error('the check returned false') };
  let result: HealthCheckResult | undefined;
  if (isHealthStatus(value)) result = { status: value };
  else if (typeof value === 'object' && value !== null) {
    const candidate = value as HealthCheckResult;
    if (isHealthStatus(candidate.status) || 'observedValue' in candidate) result = candidate;
  }
  const verdict = verdicts[result?.status ?? HealthStatus.HEALTHY];
  const error = verdict === 'fail' ? new Error(result?.output ?? 'the check reported unhealthy') : undefined;
  return { verdict, result, error };
}

/** A check that runs a function, bounded by a timeout, sharing one run among concurrent callers. */
export class FunctionCheck implements RegisteredCheck {
  readonly name: string;
  readonly kind: HealthCheckKind;
  readonly critical: boolean;
  readonly #key: string;
  readonly #settings: FunctionCheckSettings;
  readonly #fn: HealthCheckFunction;
  #state: CheckState = initialCheckState;
  #latencyMs = 0;
  #finding: Finding | undefined;
  #finishedAt: number | undefined;
  #inFlight: Promise<void> | undefined;

  constructor(settings: FunctionCheckSettings, fn: HealthCheckFunction) {
    this.name = settings.name;
    this.kind = settings.kind;
    this.critical = settings.critical;
    this.#key = checkKey(settings.name, 'responseTime');
    this.#settings = settings;
    this.#fn = fn;
  }

  refresh(maxAgeMs: number): Promise<void> | undefined {
    if (this.#inFlight !== undefined) return this.#inFlight;
    // Like a Kubernetes startup probe, a startup check is done once it has passed.
    if (this.kind === HealthCheckKind.STARTUP && this.#state.status === HealthStatus.HEALTHY)
      return undefined;
    const finishedAt = this.#finishedAt;
    if (finishedAt !== undefined && this.#settings.clock.now() - finishedAt < maxAgeMs) return undefined;
    const run = this.#run().finally(() => {
      this.#inFlight = undefined;
    });
    this.#inFlight = run;
    return run;
  }

  async #run(): Promise<void> {
    const { clock, timeoutMs, failureThreshold, successThreshold } = this.#settings;
    const startedAt = clock.now();
    let finding: Finding;
    try {
      finding = interpret(await this.#call(clock, timeoutMs));
    } catch (error) {
      finding = { verdict: 'fail', result: undefined, error };
    }
    this.#finishedAt = clock.now();
    // Microsecond precision is plenty for a probe, and keeps the JSON answer readable.
    this.#latencyMs = Math.round((this.#finishedAt - startedAt) * 1000) / 1000;
    this.#finding = finding;
    this.#state = advanceCheckState(this.#state, finding.verdict, failureThreshold, successThreshold);
  }

  #call(clock: Clock, timeoutMs: number): Promise<unknown> {
    const controller = new AbortController();
    return pTimeout(new Promise<unknown>((resolve) => resolve(this.#fn({ signal: controller.signal }))), {
      milliseconds: timeoutMs,
      fallback: () => {
        const error = new HealthCheckTimeoutError(this.name, timeoutMs);
        controller.abort(error);
        throw error;
      },
      customTimers: {
        setTimeout: ((callback: () => void, ms: number) =>
          clock.setTimeout(callback, ms)) as typeof setTimeout,
        clearTimeout: ((handle: TimerHandle) => clock.clearTimeout(handle)) as typeof clearTimeout,
      },
    });
  }

  snapshot(): CheckSnapshot {
    const finding = this.#finding;
    const result = finding?.result;
    const measured = result !== undefined && 'observedValue' in result;
    return {
      name: this.name,
      key: this.#key,
      kind: this.kind,
      critical: this.critical,
      status: this.#state.status,
      latencyMs: this.#latencyMs,
      consecutiveFailures: this.#state.consecutiveFailures,
      lastError: finding?.error === undefined ? undefined : errorMessage(finding.error),
      observedValue: measured ? result.observedValue : this.#latencyMs,
      observedUnit: measured ? result.observedUnit : 'ms',
      output: finding?.error === undefined ? result?.output : errorMessage(finding.error),
      time: this.#finishedAt,
    };
  }

  dispose(): void {}
}
