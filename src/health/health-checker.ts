import {
  type Clock,
  type Disposable,
  type Event,
  EventEmitter,
  rules,
  systemClock,
  type TimerHandle,
  toDisposable,
  validateConfig,
} from '../core/index.js';
import { metricsCallbacks } from '../metrics/index.js';
import { BreakerCheck, type HealthCheckedBreaker } from './breaker-check.js';
import type { CheckSnapshot, HealthCheckFunction, RegisteredCheck } from './check.js';
import { FunctionCheck } from './function-check.js';
import { HealthCheckKind, HealthStatus } from './health-status.js';

/** Options of {@link HealthChecker}. */
export interface HealthCheckerConfig {
  /**
   * The checker's name, reported with its status changes and to metrics.
   * @default 'health'
   */
  name?: string | undefined;
  /**
   * How often `start()` runs every check in the background.
   * @default 30000
   */
  checkIntervalMs?: number | undefined;
  /**
   * Consecutive failures after which a check is `unhealthy`; fewer leave it `degraded`.
   * @default 3
   */
  failureThreshold?: number | undefined;
  /**
   * Consecutive successes an `unhealthy` check needs to be `healthy` again.
   * @default 1
   */
  successThreshold?: number | undefined;
  /**
   * How long a check may run before it fails with `HealthCheckTimeoutError`; keep it below
   * your probe's own timeout.
   * @default 5000
   */
  timeoutMs?: number | undefined;
  /**
   * How long a result is reused by `healthHandler` (and by `checkAll` given `maxAgeMs`), so
   * a storm of probes runs each check at most once per period. `0` disables reuse.
   * @default 1000
   */
  cacheTtlMs?: number | undefined;
  /** @default systemClock */
  clock?: Clock | undefined;
}

/** Options of {@link HealthChecker.registerCheck}. */
export interface HealthCheckOptions {
  /**
   * Whether the service is unhealthy when this check is; a failing non-critical check
   * only makes the report `degraded`.
   * @default true
   */
  critical?: boolean | undefined;
  /**
   * The probe the check answers. Dependencies belong to `readiness`: a database outage
   * reported by a liveness probe becomes a restart storm.
   * @default 'readiness'
   */
  kind?: HealthCheckKind | undefined;
  /**
   * This check's own timeout.
   * @default the checker's `timeoutMs`
   */
  timeoutMs?: number | undefined;
  /**
   * This check's own failure threshold; `1` for a check that is never wrong about failing.
   * @default the checker's `failureThreshold`
   */
  failureThreshold?: number | undefined;
  /**
   * This check's own success threshold.
   * @default the checker's `successThreshold`
   */
  successThreshold?: number | undefined;
}

/** Options of {@link HealthChecker.registerCircuitBreaker}. */
export interface CircuitBreakerCheckOptions {
  /**
   * Whether an open breaker makes the service `unhealthy` rather than `degraded`.
   * @default false
   */
  critical?: boolean | undefined;
  /** @default 'readiness' */
  kind?: HealthCheckKind | undefined;
  /**
   * The check's name.
   * @default the breaker's name
   */
  name?: string | undefined;
}

/** One check's line in a {@link HealthReport}. */
export interface HealthCheckReport {
  readonly status: HealthStatus;
  readonly latencyMs: number;
  readonly consecutiveFailures: number;
  /** Why the latest run failed; absent when it passed. */
  readonly lastError?: string;
}

/** The result of {@link HealthChecker.checkAll}. */
export interface HealthReport {
  /** Worst of the checks: `unhealthy` if a critical check is, `degraded` if any check is not healthy. */
  readonly status: HealthStatus;
  readonly checks: Readonly<Record<string, HealthCheckReport>>;
  /** When the report was made, in epoch milliseconds of the checker's clock. */
  readonly timestamp: number;
}

/** Options of {@link HealthChecker.checkAll}. */
export interface CheckAllOptions {
  /**
   * Reuse results younger than this instead of running their checks again.
   * @default 0
   */
  maxAgeMs?: number | undefined;
}

/** Emitted by {@link HealthChecker.onStatusChange}. */
export interface HealthStatusChangeEvent {
  /** The checker's name. */
  readonly name: string;
  readonly from: HealthStatus;
  readonly to: HealthStatus;
}

const kindRule = rules.oneOf(...Object.values(HealthCheckKind));
const configSchema = {
  name: rules.string,
  checkIntervalMs: rules.duration(1),
  failureThreshold: rules.integer(1),
  successThreshold: rules.integer(1),
  timeoutMs: rules.duration(1),
  cacheTtlMs: rules.duration(0),
  clock: rules.clock,
};
const checkSchema = {
  critical: rules.boolean,
  kind: kindRule,
  timeoutMs: rules.duration(1),
  failureThreshold: rules.integer(1),
  successThreshold: rules.integer(1),
};
const breakerSchema = { critical: rules.boolean, kind: kindRule, name: rules.string };
const checkAllSchema = { maxAgeMs: rules.duration(0, { infinite: true }) };

/** Reads a checker's detailed results; used by the HTTP handler, not public API. */
export const evaluate = Symbol('evaluate');

/**
 * The status of a set of checks: `unhealthy` if a critical check is, `degraded` if any other
 * is not healthy, `healthy` when there are none; checks that never ran do not count.
 */
export function aggregate(snapshots: readonly CheckSnapshot[]): HealthStatus {
  let status: HealthStatus = snapshots.length === 0 ? HealthStatus.HEALTHY : HealthStatus.UNKNOWN;
  for (const snapshot of snapshots) {
    if (snapshot.status === HealthStatus.UNKNOWN) continue;
    if (snapshot.status === HealthStatus.UNHEALTHY && snapshot.critical) return HealthStatus.UNHEALTHY;
    if (snapshot.status !== HealthStatus.HEALTHY) status = HealthStatus.DEGRADED;
    else if (status === HealthStatus.UNKNOWN) status = HealthStatus.HEALTHY;
  }
  return status;
}

/**
 * Runs health checks (functions, and circuit breakers it watches), counts their failures
 * against thresholds, and reports the service's health for liveness, readiness and
 * startup probes. Serve it over HTTP with `healthHandler`.
 *
 * @example
 * const health = new HealthChecker({ name: 'orders' });
 * health.registerCheck('postgres', () => pool.query('SELECT 1'));
 * health.registerCheck('event-loop', () => lagMs() < 500, { kind: 'liveness' });
 * health.registerCircuitBreaker(getCircuitBreaker('payments'));
 * health.start();
 * const report = await health.checkAll(); // { status: 'healthy', checks: { postgres: { ... } }, timestamp }
 */
export class HealthChecker implements Disposable {
  readonly name: string;
  readonly checkIntervalMs: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
  readonly timeoutMs: number;
  readonly cacheTtlMs: number;
  readonly #clock: Clock;
  readonly #checks = new Map<string, RegisteredCheck>();
  readonly #reported = new Map<string, HealthStatus>();
  readonly #statusChanged = new EventEmitter<HealthStatusChangeEvent>();
  #status: HealthStatus = HealthStatus.UNKNOWN;
  #timer: TimerHandle | undefined;
  #generation = 0;
  #started = false;

  /**
   * @throws TypeError or RangeError naming the option when the configuration is invalid.
   */
  constructor(config: HealthCheckerConfig = {}) {
    validateConfig<HealthCheckerConfig>('HealthCheckerConfig', config, configSchema);
    this.name = config.name ?? 'health';
    this.checkIntervalMs = config.checkIntervalMs ?? 30_000;
    this.failureThreshold = config.failureThreshold ?? 3;
    this.successThreshold = config.successThreshold ?? 1;
    this.timeoutMs = config.timeoutMs ?? 5000;
    this.cacheTtlMs = config.cacheTtlMs ?? 1000;
    this.#clock = config.clock ?? systemClock;
  }

  /** Subscribes to changes of the overall status; dispose the result to unsubscribe. */
  readonly onStatusChange: Event<HealthStatusChangeEvent> = this.#statusChanged.subscribe;

  /** The overall status as of the latest results; `unknown` until a check has run. */
  get status(): HealthStatus {
    return this.#status;
  }

  /** Whether background checks are running. */
  get running(): boolean {
    return this.#started;
  }

  /**
   * Registers a check; dispose the result (or call `unregisterCheck`) to remove it.
   *
   * @throws TypeError when the name is taken, `fn` is not a function or an option is invalid.
   */
  registerCheck(name: string, fn: HealthCheckFunction, options: HealthCheckOptions = {}): Disposable {
    this.#assertFreeName(name, 'registerCheck');
    if (typeof fn !== 'function') {
      throw new TypeError(
        `HealthChecker.registerCheck("${name}", fn): fn must be a function, received ${typeof fn}`,
      );
    }
    validateConfig<HealthCheckOptions>('HealthCheckOptions', options, checkSchema);
    const check = new FunctionCheck(
      {
        name,
        kind: options.kind ?? HealthCheckKind.READINESS,
        critical: options.critical ?? true,
        timeoutMs: options.timeoutMs ?? this.timeoutMs,
        failureThreshold: options.failureThreshold ?? this.failureThreshold,
        successThreshold: options.successThreshold ?? this.successThreshold,
        clock: this.#clock,
      },
      fn,
    );
    return this.#add(check);
  }

  /**
   * Watches a circuit breaker as a check: open is `degraded`, or `unhealthy` when
   * `critical`; half-open is `degraded`. Its changes are reported as they happen.
   *
   * @throws TypeError when the breaker's name is taken or an option is invalid.
   */
  registerCircuitBreaker(
    breaker: HealthCheckedBreaker,
    options: CircuitBreakerCheckOptions = {},
  ): Disposable {
    if (typeof breaker?.onStateChange !== 'function' || typeof breaker.name !== 'string') {
      throw new TypeError(
        'HealthChecker.registerCircuitBreaker(breaker): breaker must have a name, a state and onStateChange()',
      );
    }
    validateConfig<CircuitBreakerCheckOptions>('CircuitBreakerCheckOptions', options, breakerSchema);
    const name = options.name ?? breaker.name;
    this.#assertFreeName(name, 'registerCircuitBreaker');
    const check = new BreakerCheck(breaker, {
      name,
      kind: options.kind ?? HealthCheckKind.READINESS,
      critical: options.critical ?? false,
      clock: this.#clock,
      onChange: () => this.#settle(),
    });
    return this.#add(check);
  }

  /** Removes a check; returns whether one of that name was registered. */
  unregisterCheck(name: string): boolean {
    const check = this.#checks.get(name);
    if (check === undefined) return false;
    this.#checks.delete(name);
    this.#reported.delete(name);
    check.dispose();
    this.#settle();
    return true;
  }

  /**
   * Runs the checks (of one kind, if given) and reports their results. Concurrent calls
   * share one run of each check.
   */
  async checkAll(kind?: HealthCheckKind, options: CheckAllOptions = {}): Promise<HealthReport> {
    const snapshots = await this[evaluate](kind, options);
    const checks: Record<string, HealthCheckReport> = {};
    for (const snapshot of snapshots) {
      const { status, latencyMs, consecutiveFailures, lastError } = snapshot;
      checks[snapshot.name] =
        lastError === undefined
          ? { status, latencyMs, consecutiveFailures }
          : { status, latencyMs, consecutiveFailures, lastError };
    }
    return { status: aggregate(snapshots), checks, timestamp: Math.floor(this.#clock.now()) };
  }

  /** @internal The detailed results behind {@link checkAll}; the HTTP handler reads them. */
  async [evaluate](
    kind: HealthCheckKind | undefined,
    options: CheckAllOptions = {},
  ): Promise<CheckSnapshot[]> {
    if (kind !== undefined && !kindRule.test(kind)) {
      throw new RangeError(
        `HealthChecker.checkAll(kind): kind must be ${kindRule.expected}, received ${kind}`,
      );
    }
    validateConfig<CheckAllOptions>('CheckAllOptions', options, checkAllSchema);
    const maxAgeMs = options.maxAgeMs ?? 0;
    const selected = [...this.#checks.values()].filter((check) => kind === undefined || check.kind === kind);
    await Promise.all(selected.map((check) => check.refresh(maxAgeMs)));
    this.#settle();
    return selected.map((check) => check.snapshot());
  }

  /** Runs every check now and then every `checkIntervalMs`, on unref'd timers, until `stop()`. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#round(++this.#generation);
  }

  /** Stops background checks and clears their timer. */
  stop(): void {
    this.#started = false;
    this.#generation++;
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Stops background checks and removes every check (releasing breaker subscriptions). */
  dispose(): void {
    this.stop();
    for (const check of this.#checks.values()) check.dispose();
    this.#checks.clear();
    this.#reported.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #round(generation: number): void {
    this.#timer = undefined;
    const next = (): void => {
      // A round that ends after stop(), or after a stop() and start(), must not schedule another.
      if (generation === this.#generation) {
        this.#timer = this.#clock.setTimeout(() => this.#round(generation), this.checkIntervalMs);
      }
    };
    this[evaluate](undefined).then(next, next);
  }

  #assertFreeName(name: string, method: string): void {
    if (typeof name !== 'string' || name.length === 0) {
      throw new TypeError(
        `HealthChecker.${method}(name): name must be a non-empty string, received ${String(name)}`,
      );
    }
    if (this.#checks.has(name)) {
      throw new TypeError(
        `HealthChecker.${method}("${name}"): a check of that name is already registered; unregisterCheck("${name}") first`,
      );
    }
  }

  #add(check: RegisteredCheck): Disposable {
    this.#checks.set(check.name, check);
    return toDisposable(() => {
      if (this.#checks.get(check.name) === check) this.unregisterCheck(check.name);
    });
  }

  /** Reports changed statuses, each check's and the checker's, to listeners and metrics. */
  #settle(): void {
    const snapshots = [...this.#checks.values()].map((check) => check.snapshot());
    for (const snapshot of snapshots) {
      const previous = this.#reported.get(snapshot.name) ?? HealthStatus.UNKNOWN;
      if (previous === snapshot.status) continue;
      this.#reported.set(snapshot.name, snapshot.status);
      metricsCallbacks?.healthStatusChanged?.(snapshot.name, previous, snapshot.status);
    }
    const status = aggregate(snapshots);
    const from = this.#status;
    if (from === status) return;
    this.#status = status;
    metricsCallbacks?.healthStatusChanged?.(this.name, from, status);
    this.#statusChanged.emit({ name: this.name, from, to: status });
  }
}
