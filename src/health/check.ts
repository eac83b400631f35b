import type { HealthCheckKind, HealthStatus } from './health-status.js';

/** What a health check function receives. */
export interface HealthCheckContext {
  /** Aborts when the check outlives its `timeoutMs`; pass it on to the I/O the check does. */
  readonly signal: AbortSignal;
}

/**
 * What a check may return to say more than "it worked": its status, and a measurement
 * shown in the `application/health+json` answer (`observedValue`, `observedUnit`).
 */
export interface HealthCheckResult {
  /** @default 'healthy' */
  readonly status?: HealthStatus | undefined;
  /** What the check measured; defaults to the check's latency in milliseconds. */
  readonly observedValue?: unknown;
  readonly observedUnit?: string | undefined;
  /** A human-readable note, shown only when details are allowed. */
  readonly output?: string | undefined;
}

/**
 * A health check. It passes when it returns (anything) and fails when it throws, rejects
 * or returns `false`; it may also return a {@link HealthStatus} or a {@link HealthCheckResult}.
 */
export type HealthCheckFunction = (context: HealthCheckContext) => unknown;

/** A check's latest standing, as the checker and the HTTP handler read it. */
export interface CheckSnapshot {
  readonly name: string;
  /** The `component:measurement` key of the `application/health+json` answer. */
  readonly key: string;
  readonly kind: HealthCheckKind;
  readonly critical: boolean;
  readonly status: HealthStatus;
  readonly latencyMs: number;
  readonly consecutiveFailures: number;
  readonly lastError: string | undefined;
  readonly observedValue: unknown;
  readonly observedUnit: string | undefined;
  readonly output: string | undefined;
  /** When the result was taken, in clock milliseconds; `undefined` before the first run. */
  readonly time: number | undefined;
}

/** A check registered with a checker: a function it runs, or a circuit breaker it watches. */
export interface RegisteredCheck {
  readonly name: string;
  readonly kind: HealthCheckKind;
  readonly critical: boolean;
  /** Brings the result up to date, reusing one younger than `maxAgeMs` or a run in progress. */
  refresh(maxAgeMs: number): Promise<void> | undefined;
  snapshot(): CheckSnapshot;
  dispose(): void;
}

/** The `application/health+json` key of a check: its name, with a measurement unless it names one. */
export function checkKey(name: string, measurement: string): string {
  return name.includes(':') ? name : `${name}:${measurement}`;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
