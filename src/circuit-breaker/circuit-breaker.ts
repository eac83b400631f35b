import {
  abortOf,
  attemptStart,
  CallSignal,
  type Chain,
  type ChainablePolicy,
  type Clock,
  type Continuation,
  type Disposable,
  EventEmitter,
  firstAttemptContext,
  hasLazySignal,
  isThenable,
  type Listener,
  neverAbortedSignal,
  onAbort,
  type PolicyContext,
  type PolicyFunction,
  peekAbort,
  runChained,
  runSync,
  runUnchained,
  type SyncCapablePolicy,
  type TimerHandle,
} from '../core/index.js';
import { metricsCallbacks } from '../metrics/index.js';
import { AdaptiveThreshold } from './adaptive-threshold.js';
import {
  CircuitState,
  type CircuitStateChange,
  FailureType,
  type StateChangeReason,
} from './circuit-state.js';
import { type CircuitBreakerConfig, type ErrorClass, type ResolvedConfig, resolveConfig } from './config.js';
import { CircuitBreakerTimeoutError, openError } from './errors.js';
import { type BreakerHealthCheck, type BreakerHealthCheckFunction, HealthChecks } from './health-checks.js';
import { CountWindow, type SlidingWindow, TimeWindow, type WindowSnapshot } from './sliding-window.js';
import type { BreakerStateLink, SharedBreakerState, SharedOutcomeCounts } from './state-store.js';
import type { CircuitBreakerMetrics, CircuitBreakerSnapshot, CircuitBreakerStatus } from './status.js';
import { NO_SLOT, OLDEST_SLOT, REJECTED, TrialSlots, UNTRACKED } from './trial-slots.js';

/** How a caller wants results: always a promise, or synchronous results kept synchronous. */
export const RunMode = {
  /** `execute()`: every outcome is a promise. */
  Promise: 0,
  /** Sync-capable, and a refused call throws at once. */
  ThrowRejections: 1,
  /** Sync-capable, but a refused call returns a rejected promise (the function is known to be async). */
  RejectAsync: 2,
} as const;
export type RunMode = (typeof RunMode)[keyof typeof RunMode];

/** Runs a call with a {@link RunMode}; used by `withCircuitBreaker`. */
export const runGuarded = Symbol('bulwark.circuitBreaker.runGuarded');
/** Counts a fallback answer; used by `withCircuitBreaker`. */
export const recordFallback = Symbol('bulwark.circuitBreaker.recordFallback');

// The start time of a call nobody times.
const NO_TIMING = Number.NEGATIVE_INFINITY;

const Outcome = { Success: 0, Failure: 1, Ignored: 2 } as const;
type Outcome = (typeof Outcome)[keyof typeof Outcome];

function matchesAny(error: unknown, classes: readonly ErrorClass[]): boolean {
  for (const errorClass of classes) if (error instanceof errorClass) return true;
  return false;
}

const settleChained = Symbol('bulwark.circuitBreaker.settleChained');

/** A call through a breaker in a pipeline: records the outcome, then passes it on. */
class ChainedCall<T> implements Continuation<T> {
  constructor(
    readonly breaker: CircuitBreaker,
    readonly generation: number,
    readonly slot: number,
    readonly start: number,
    readonly context: PolicyContext,
    readonly continuation: Continuation<T>,
  ) {}

  resolve(value: T): void {
    this.breaker[settleChained](this, value, false);
    this.continuation.resolve(value);
  }

  reject(error: unknown): void {
    this.breaker[settleChained](this, error, true);
    this.continuation.reject(error);
  }
}

class TimedContext implements PolicyContext {
  readonly attempt = 1;
  readonly #call: CallSignal;
  constructor(call: CallSignal) {
    this.#call = call;
  }
  get signal(): AbortSignal {
    return this.#call.signal;
  }
}

/**
 * A circuit breaker: stops calling a failing dependency for a while, then lets a few
 * trial calls decide whether it has recovered. Opens on `failureThreshold` consecutive
 * failures, or, once the sliding window holds `minimumNumberOfCalls`, when the failure
 * rate or the slow-call rate reaches its threshold. Keeps no timer of its own: the switch
 * from open to half-open happens on the first call (or read of `state`) after the cooldown.
 *
 * @example
 * const breaker = new CircuitBreaker('payments', { failureThreshold: 3, cooldownMs: 30_000 });
 * const receipt = await breaker.execute(({ signal }) => payments.charge(order, { signal }));
 *
 * @throws TypeError or RangeError when the configuration is invalid, naming the field.
 */
export class CircuitBreaker implements SyncCapablePolicy, ChainablePolicy {
  readonly name: string;
  readonly #config: ResolvedConfig;
  readonly #clock: Clock;
  readonly #window: SlidingWindow;
  readonly #timed: boolean;
  #state: CircuitState = CircuitState.CLOSED;
  // Bumped on every state change; a call settling under an older generation is a late result.
  #generation = 0;
  #consecutiveFailures = 0;
  #consecutiveTrips = 0;
  #openedAt: number | undefined;
  #nextAttemptAt = 0;
  #retryAfterMs = 0;
  #trialSuccesses = 0;
  #trials: TrialSlots | undefined;
  #calls = 0;
  #successes = 0;
  #failures = 0;
  #slowCalls = 0;
  #timeouts = 0;
  #rejections = 0;
  #ignored = 0;
  #fallbacks = 0;
  #trips = 0;
  #lastFailureType: FailureType | undefined;
  #adaptive: AdaptiveThreshold | undefined;
  #events: EventEmitter<CircuitStateChange> | undefined;
  #health: HealthChecks | undefined;
  // Outcome handlers shared by every slot-less call of this generation that started in the same millisecond.
  #onSuccess: ((value: unknown) => void) | undefined;
  #onFailure: ((error: unknown) => void) | undefined;
  #handlersStart = NO_TIMING;
  #rejectsAsync = true;
  #link: BreakerStateLink | undefined;

  /**
   * @param name - identifies the breaker in errors, events and metrics.
   * @throws TypeError or RangeError when `name` or a `config` field is invalid.
   */
  constructor(name: string, config?: CircuitBreakerConfig) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new TypeError(`CircuitBreaker name must be a non-empty string, received ${String(name)}`);
    }
    const resolved = resolveConfig(config);
    this.name = name;
    this.#config = resolved;
    this.#clock = resolved.clock;
    this.#window =
      resolved.windowType === 'count'
        ? new CountWindow(resolved.windowSize)
        : new TimeWindow(resolved.windowSize);
    this.#timed = resolved.slowCallDurationMs !== Number.POSITIVE_INFINITY;
    if (resolved.adaptiveThresholds) {
      this.#adaptive = new AdaptiveThreshold(
        resolved.failureRateThreshold,
        resolved.windowType === 'count' ? resolved.windowSize : 100,
      );
    }
    this.#link = resolved.stateStore?.attach({
      name,
      sharedState: () => this.#sharedState(),
      applySharedState: (shared) => this.#applySharedState(shared),
      applySharedCounts: (counts) => this.#applySharedCounts(counts),
    });
  }

  /**
   * The effective state: an open breaker whose cooldown has elapsed reports (and becomes)
   * half-open; with a `stateStore`, only in the process holding the trial lease.
   */
  get state(): CircuitState {
    if (this.#state === CircuitState.OPEN) {
      const now = this.#clock.now();
      if (now >= this.#nextAttemptAt && (this.#link?.hasTrialLease(now) ?? true)) {
        this.#toHalfOpen('cooldown_elapsed');
      }
    }
    return this.#state;
  }

  /** Consecutive failures so far; a success resets it. */
  get failures(): number {
    return this.#consecutiveFailures;
  }

  /**
   * Whether a call may run now. In half-open this takes a trial slot, which
   * `recordSuccess` or `recordFailure` gives back. A refusal counts as a rejection.
   */
  canExecute(): boolean {
    if (this.#admit() !== REJECTED) return true;
    this.#countRejection();
    return false;
  }

  /** Alias of {@link canExecute}. */
  canProceed(): boolean {
    return this.canExecute();
  }

  /** Reports a successful call made after {@link canExecute}. */
  recordSuccess(durationMs = 0): void {
    const slot = this.#manualSlot();
    this.#record(this.#generation, slot, durationMs, Outcome.Success, FailureType.ERROR);
  }

  /** Reports a failed call made after {@link canExecute}; `error` is classified like any other. */
  recordFailure(error: unknown, durationMs = 0): void {
    const slot = this.#manualSlot();
    this.#record(this.#generation, slot, durationMs, this.#classify(error), failureTypeOf(error));
  }

  /**
   * Runs `fn` through the breaker. Rejects with `CircuitBreakerOpenError` without running
   * it while the breaker is open; `ctx.signal` aborts at `timeoutMs` or when `signal` does.
   */
  execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    if (this.#state !== CircuitState.CLOSED || signal !== undefined || this.#config.timeoutMs !== undefined) {
      return this[runGuarded](fn, signal, RunMode.Promise) as Promise<T>;
    }
    // The hot path: no closure or object of the breaker's own per call. Outcomes go to handlers shared
    // by every call of this generation that started in the same millisecond (or by all, when untimed).
    const start = this.#timed || metricsCallbacks !== undefined ? Math.floor(this.#clock.now()) : NO_TIMING;
    const generation = this.#generation;
    let result: T | PromiseLike<T>;
    try {
      result = fn(firstAttemptContext);
    } catch (error) {
      this.#settle(generation, NO_SLOT, start, error, true, undefined);
      return Promise.reject(error);
    }
    if (result instanceof Promise && generation === this.#generation) {
      if (this.#onSuccess === undefined || this.#handlersStart !== start) this.#shareHandlers(start);
      result.then(this.#onSuccess, this.#onFailure);
      return result;
    }
    if (isThenable(result)) return this.#track(result, generation, NO_SLOT, start);
    this.#settle(generation, NO_SLOT, start, result, false, undefined);
    return Promise.resolve(result);
  }

  /** Runs `fn` keeping a synchronous result synchronous; used by wrappers so sync methods stay sync. */
  [runSync]<T>(fn: PolicyFunction<T>, signal?: AbortSignal): T | Promise<T> {
    const result = this[runGuarded](
      fn,
      signal,
      this.#rejectsAsync ? RunMode.RejectAsync : RunMode.ThrowRejections,
    );
    this.#rejectsAsync = isThenable(result);
    return result;
  }

  [runChained]<T>(
    chain: Chain<T>,
    position: number,
    context: PolicyContext,
    continuation: Continuation<T>,
  ): void {
    // A caller's signal is watched through `execute`; a signal built on first read (a timeout's
    // outside this breaker) is only asked whether it aborted, so a closed breaker builds none.
    const lazy = hasLazySignal(context);
    if (
      this.#config.timeoutMs !== undefined ||
      (lazy ? this.#state !== CircuitState.CLOSED : context.signal !== neverAbortedSignal)
    ) {
      runUnchained(this, chain, position, context, continuation);
      return;
    }
    const slot = this.#admit();
    if (slot === REJECTED) {
      this.#countRejection();
      continuation.reject(openError(this.name, this.#retryAfterMs));
      return;
    }
    const aborted = lazy ? context[peekAbort]() : undefined;
    if (aborted !== undefined) {
      continuation.reject(aborted.reason);
      return;
    }
    const generation = this.#generation;
    const start =
      this.#timed || metricsCallbacks !== undefined ? Math.floor(attemptStart(this.#clock)) : NO_TIMING;
    chain.proceed(
      position + 1,
      context,
      new ChainedCall(this, generation, slot, start, context, continuation),
    );
  }

  [settleChained](call: ChainedCall<unknown>, value: unknown, threw: boolean): void {
    const aborted = threw ? abortOf(call.context) : undefined;
    this.#settle(
      call.generation,
      call.slot,
      call.start,
      value,
      threw,
      aborted && { aborted: true, ...aborted },
    );
  }

  /** Runs `fn(...args)` through the breaker. */
  call<A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>, ...args: A): Promise<R> {
    return this.execute(() => fn(...args));
  }

  /** Opens the breaker until {@link forceClose} or {@link reset}: every call is rejected. */
  forceOpen(): void {
    if (this.#state === CircuitState.FORCED_OPEN) return;
    this.#openedAt = this.#clock.now();
    this.#transition(CircuitState.FORCED_OPEN, 'forced_open');
  }

  /** Closes the breaker with an empty window, whatever its state. */
  forceClose(): void {
    this.#close('forced_close');
  }

  /** Lets every call through and counts nothing, until {@link forceClose} or {@link reset}. */
  disable(): void {
    this.#transition(CircuitState.DISABLED, 'disabled');
  }

  /** Counts every call but never changes state on its own, until {@link forceClose} or {@link reset}. */
  metricsOnly(): void {
    this.#transition(CircuitState.METRICS_ONLY, 'metrics_only');
  }

  /** Closes the breaker and forgets everything it counted. */
  reset(): void {
    this.#calls = this.#successes = this.#failures = this.#slowCalls = this.#timeouts = 0;
    this.#rejections = this.#ignored = this.#fallbacks = this.#trips = 0;
    this.#lastFailureType = undefined;
    if (this.#adaptive !== undefined) {
      this.#adaptive = new AdaptiveThreshold(
        this.#config.failureRateThreshold,
        this.#config.windowType === 'count' ? this.#config.windowSize : 100,
      );
    }
    this.#close('reset');
  }

  /**
   * Attaches a health check. With `healthCheckIntervalMs` it runs on an unref'd timer that
   * exists only while a check is attached; with `autoHealing`, passing checks end an open
   * breaker's cooldown early. Dispose the result to detach the check.
   */
  addHealthCheck(check: BreakerHealthCheck | BreakerHealthCheckFunction): Disposable {
    this.#health ??= new HealthChecks(this.#clock, this.#config.healthCheckIntervalMs, (passed) =>
      this.#onHealthChecked(passed),
    );
    return this.#health.add(check);
  }

  /** Runs every attached health check now and reports which passed, by name. */
  runHealthChecks(): Promise<Record<string, boolean>> {
    return this.#health?.run() ?? Promise.resolve({});
  }

  /** Subscribes to real state changes (never same-state ones); dispose the result to unsubscribe. */
  onStateChange(listener: Listener<CircuitStateChange>): Disposable {
    this.#events ??= new EventEmitter<CircuitStateChange>();
    return this.#events.subscribe(listener);
  }

  /** Counts and rates: counts since creation or `reset()`, rates over the sliding window, as fractions. */
  getMetrics(): CircuitBreakerMetrics {
    const state = this.state;
    const window = this.#window;
    window.refresh(this.#clock.now());
    return {
      calls: this.#calls,
      failures: this.#failures,
      slowCalls: this.#slowCalls,
      rejections: this.#rejections,
      failureRate: window.calls === 0 ? 0 : window.failures / window.calls,
      slowCallRate: window.calls === 0 ? 0 : window.slowCalls / window.calls,
      state,
      openedAt: this.#openedAt,
      nextAttemptAt: state === CircuitState.OPEN ? this.#nextAttemptAt : undefined,
      trips: this.#trips,
    };
  }

  /** Everything {@link getMetrics} reports, plus what the breaker holds and has counted apart from calls. */
  getStatus(): CircuitBreakerStatus {
    const metrics = this.getMetrics();
    const window = this.#window;
    return {
      name: this.name,
      ...metrics,
      consecutiveFailures: this.#consecutiveFailures,
      successes: this.#successes,
      timeouts: this.#timeouts,
      ignored: this.#ignored,
      fallbacks: this.#fallbacks,
      window: {
        type: this.#config.windowType,
        size: this.#config.windowSize,
        calls: window.calls,
        failures: window.failures,
        slowCalls: window.slowCalls,
      },
      failureRateThreshold: this.#failureRateThreshold(Math.max(1, window.calls)),
      trialCalls: metrics.state === CircuitState.HALF_OPEN ? (this.#trials?.size ?? 0) : 0,
      lastFailureType: this.#lastFailureType,
      health: this.#health?.last,
      ...(this.#link !== undefined && { sharedState: this.#link.status() }),
    };
  }

  /** The breaker's state as plain data; {@link CircuitBreaker.fromJSON} restores it. */
  toJSON(): CircuitBreakerSnapshot {
    const state = this.state;
    this.#window.refresh(this.#clock.now());
    return {
      version: 1,
      name: this.name,
      state,
      openedAt: this.#openedAt ?? null,
      nextAttemptAt: state === CircuitState.OPEN ? this.#nextAttemptAt : null,
      consecutiveFailures: this.#consecutiveFailures,
      consecutiveTrips: this.#consecutiveTrips,
      trialSuccesses: this.#trialSuccesses,
      counts: {
        calls: this.#calls,
        successes: this.#successes,
        failures: this.#failures,
        slowCalls: this.#slowCalls,
        timeouts: this.#timeouts,
        rejections: this.#rejections,
        ignored: this.#ignored,
        fallbacks: this.#fallbacks,
        trips: this.#trips,
      },
      window: this.#window.snapshot(),
      baseline: this.#adaptive?.toJSON() ?? null,
    };
  }

  /**
   * Restores a breaker from {@link toJSON} output. A half-open breaker restores as half-open
   * (with all its trial slots free); the configuration is not part of the snapshot.
   *
   * @throws TypeError when `snapshot` is not a breaker snapshot.
   */
  static fromJSON(snapshot: CircuitBreakerSnapshot, config?: CircuitBreakerConfig): CircuitBreaker {
    assertSnapshot(snapshot);
    const breaker = new CircuitBreaker(snapshot.name, config);
    breaker.#restore(snapshot);
    return breaker;
  }

  /** Stops the health-check timer and drops listeners. Calls still go through. */
  dispose(): void {
    this.#health?.dispose();
    this.#events = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  [recordFallback](): void {
    this.#fallbacks++;
    metricsCallbacks?.callCompleted?.('circuit_breaker', this.name, 'fallback', 0);
  }

  [runGuarded]<T>(fn: PolicyFunction<T>, signal: AbortSignal | undefined, mode: RunMode): T | Promise<T> {
    const slot = this.#admit();
    if (slot === REJECTED) {
      this.#countRejection();
      return fail(openError(this.name, this.#retryAfterMs), mode);
    }
    if (signal?.aborted) {
      this.#release(slot);
      return fail(signal.reason, mode);
    }
    const generation = this.#generation;
    // Whole milliseconds, so calls that start in the same millisecond can share their outcome handlers.
    const start =
      this.#timed || metricsCallbacks !== undefined || this.#config.timeoutMs !== undefined
        ? Math.floor(this.#clock.now())
        : NO_TIMING;
    if (this.#config.timeoutMs !== undefined || (signal !== undefined && signal !== neverAbortedSignal)) {
      return this.#supervise(fn, signal, slot, generation, start, mode);
    }
    let result: T | PromiseLike<T>;
    try {
      result = fn(firstAttemptContext);
    } catch (error) {
      this.#settle(generation, slot, start, error, true, undefined);
      return fail(error, mode);
    }
    if (isThenable(result)) return this.#track(result, generation, slot, start);
    this.#settle(generation, slot, start, result, false, undefined);
    return mode === RunMode.Promise ? Promise.resolve(result) : result;
  }

  // Runs a call that has a deadline or a caller's signal: it settles at whichever comes first.
  #supervise<T>(
    fn: PolicyFunction<T>,
    signal: AbortSignal | undefined,
    slot: number,
    generation: number,
    start: number,
    mode: RunMode,
  ): T | Promise<T> {
    const timeoutMs = this.#config.timeoutMs;
    const callSignal = timeoutMs === undefined ? undefined : new CallSignal(signal);
    const context: PolicyContext =
      callSignal === undefined
        ? { signal: signal ?? neverAbortedSignal, attempt: 1 }
        : new TimedContext(callSignal);
    let result: T | PromiseLike<T>;
    try {
      result = fn(context);
    } catch (error) {
      callSignal?.release();
      this.#settle(generation, slot, start, error, true, signal);
      return fail(error, mode);
    }
    if (!isThenable(result)) {
      callSignal?.release();
      if (timeoutMs !== undefined && this.#clock.now() - start > timeoutMs) {
        const error = new CircuitBreakerTimeoutError(this.name, timeoutMs);
        this.#settle(generation, slot, start, error, true, undefined);
        return fail(error, mode);
      }
      this.#settle(generation, slot, start, result, false, undefined);
      return mode === RunMode.Promise ? Promise.resolve(result) : result;
    }
    const pending = result;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let timer: TimerHandle | undefined;
      // Assigned below; onAbort may call back at once if the function itself aborted the caller's signal.
      let removeAbortListener = (): void => {};
      const finish = (): boolean => {
        if (settled) return false;
        settled = true;
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        removeAbortListener();
        callSignal?.release();
        return true;
      };
      removeAbortListener = onAbort(signal, (reason) => {
        if (!finish()) return;
        callSignal?.abort(reason);
        this.#record(generation, slot, this.#elapsed(start), Outcome.Ignored, FailureType.ERROR);
        reject(reason);
      });
      if (timeoutMs !== undefined && !settled) {
        timer = this.#clock.setTimeout(
          () => {
            if (!finish()) return;
            const error = new CircuitBreakerTimeoutError(this.name, timeoutMs);
            callSignal?.abort(error);
            this.#settle(generation, slot, start, error, true, undefined);
            reject(error);
          },
          Math.max(0, start + timeoutMs - this.#clock.now()),
        );
      }
      Promise.resolve(pending).then(
        (value) => {
          if (!finish()) return;
          this.#settle(generation, slot, start, value, false, signal);
          resolve(value);
        },
        (error: unknown) => {
          if (!finish()) return;
          this.#settle(generation, slot, start, error, true, signal);
          reject(error);
        },
      );
    });
  }

  // Observes the call's own promise and hands it back: no wrapper promise, and a failure rejects only once.
  #track<T>(pending: PromiseLike<T>, generation: number, slot: number, start: number): Promise<T> {
    const promise = pending instanceof Promise ? (pending as Promise<T>) : Promise.resolve(pending);
    if (slot === NO_SLOT && generation === this.#generation) {
      if (this.#onSuccess === undefined || this.#handlersStart !== start) this.#shareHandlers(start);
      promise.then(this.#onSuccess, this.#onFailure);
    } else {
      promise.then(
        (value) => this.#settle(generation, slot, start, value, false, undefined),
        (error: unknown) => this.#settle(generation, slot, start, error, true, undefined),
      );
    }
    return promise;
  }

  #shareHandlers(start: number): void {
    const generation = this.#generation;
    this.#handlersStart = start;
    this.#onSuccess = (value) => this.#settle(generation, NO_SLOT, start, value, false, undefined);
    this.#onFailure = (error) => this.#settle(generation, NO_SLOT, start, error, true, undefined);
  }

  #elapsed(start: number): number {
    return start === NO_TIMING ? 0 : Math.floor(this.#clock.now()) - start;
  }

  #settle(
    generation: number,
    slot: number,
    start: number,
    value: unknown,
    threw: boolean,
    signal: Pick<AbortSignal, 'aborted' | 'reason'> | undefined,
  ): void {
    const durationMs = this.#elapsed(start);
    if (!threw) {
      const isFailureResult = this.#config.isFailureResult;
      const outcome = isFailureResult?.(value) ? Outcome.Failure : Outcome.Success;
      this.#record(generation, slot, durationMs, outcome, FailureType.ERROR);
    } else if (signal?.aborted && value === signal.reason) {
      // The caller gave up: its decision, not the dependency's failure.
      this.#record(generation, slot, durationMs, Outcome.Ignored, FailureType.ERROR);
    } else {
      this.#record(generation, slot, durationMs, this.#classify(value), failureTypeOf(value));
    }
  }

  #classify(error: unknown): Outcome {
    if (error instanceof CircuitBreakerTimeoutError) return Outcome.Failure;
    const { ignoreErrors, recordErrors, isFailure } = this.#config;
    if (ignoreErrors !== undefined && matchesAny(error, ignoreErrors)) return Outcome.Ignored;
    if (recordErrors !== undefined && !matchesAny(error, recordErrors)) return Outcome.Success;
    if (isFailure !== undefined && !isFailure(error)) return Outcome.Success;
    return Outcome.Failure;
  }

  #record(generation: number, slot: number, durationMs: number, outcome: Outcome, type: FailureType): void {
    if (slot === UNTRACKED || this.#state === CircuitState.DISABLED) return;
    const callbacks = metricsCallbacks;
    const current = generation === this.#generation;
    if (outcome === Outcome.Ignored) {
      this.#ignored++;
      if (current) this.#release(slot);
      callbacks?.callCompleted?.('circuit_breaker', this.name, 'ignored', durationMs);
      return;
    }
    const failed = outcome === Outcome.Failure;
    const slow = durationMs > this.#config.slowCallDurationMs;
    this.#calls++;
    if (failed) {
      this.#failures++;
      this.#consecutiveFailures++;
      this.#lastFailureType = type;
      if (type === FailureType.TIMEOUT) this.#timeouts++;
    } else {
      this.#successes++;
      this.#consecutiveFailures = 0;
    }
    if (slow) this.#slowCalls++;
    this.#link?.recordOutcome(failed, slow);
    const window = this.#window;
    window.record(failed, slow, this.#config.windowType === 'time' ? this.#clock.now() : 0);
    callbacks?.callCompleted?.(
      'circuit_breaker',
      this.name,
      failed ? (type === FailureType.TIMEOUT ? 'timeout' : 'failure') : 'success',
      durationMs,
    );
    // A late result (the state changed while the call ran) is counted but never moves the breaker.
    if (!current) return;
    if (this.#state === CircuitState.CLOSED) {
      this.#adaptive?.observe(failed);
      if (failed && this.#consecutiveFailures >= this.#config.failureThreshold) {
        this.#open('failure_threshold');
      } else if (window.calls >= this.#config.minimumNumberOfCalls) {
        if (window.failures / window.calls >= this.#failureRateThreshold(window.calls)) {
          this.#open('failure_rate');
        } else if (window.slowCalls / window.calls >= this.#config.slowCallRateThreshold) {
          this.#open('slow_call_rate');
        }
      }
    } else if (this.#state === CircuitState.HALF_OPEN) {
      this.#release(slot);
      if (failed || slow) this.#open('trial_failed');
      else if (++this.#trialSuccesses >= this.#config.successThreshold) this.#close('trial_succeeded');
    }
  }

  #failureRateThreshold(calls: number): number {
    return this.#adaptive === undefined ? this.#config.failureRateThreshold : this.#adaptive.threshold(calls);
  }

  // Decides whether a call may start; returns the slot it holds, or REJECTED with #retryAfterMs set.
  #admit(): number {
    switch (this.#state) {
      case CircuitState.CLOSED:
      case CircuitState.METRICS_ONLY:
        return NO_SLOT;
      case CircuitState.DISABLED:
        return UNTRACKED;
      case CircuitState.OPEN: {
        const now = this.#clock.now();
        if (now < this.#nextAttemptAt) {
          this.#retryAfterMs = this.#nextAttemptAt - now;
          return REJECTED;
        }
        const link = this.#link;
        if (link !== undefined && !link.acquireTrialLease(now)) {
          this.#retryAfterMs = link.leaseRetryAfterMs(now);
          return REJECTED;
        }
        this.#toHalfOpen('cooldown_elapsed');
        return this.#takeTrialSlot(now);
      }
      case CircuitState.HALF_OPEN:
        return this.#takeTrialSlot(this.#clock.now());
      default:
        this.#retryAfterMs = Number.POSITIVE_INFINITY;
        return REJECTED;
    }
  }

  #takeTrialSlot(now: number): number {
    const trials = (this.#trials ??= new TrialSlots(
      this.#config.halfOpenMaxRequests,
      this.#config.maxWaitInHalfOpenMs,
    ));
    const slot = trials.take(now);
    if (slot === REJECTED) this.#retryAfterMs = trials.retryAfterMs(now);
    return slot;
  }

  #release(slot: number): void {
    if (slot !== NO_SLOT) this.#trials?.release(slot);
  }

  // The manual API reports against the effective state, so an elapsed cooldown counts as half-open.
  #manualSlot(): number {
    return this.state === CircuitState.HALF_OPEN ? OLDEST_SLOT : NO_SLOT;
  }

  #countRejection(): void {
    this.#rejections++;
    metricsCallbacks?.callCompleted?.('circuit_breaker', this.name, 'rejected', 0);
  }

  #onHealthChecked(passed: boolean): void {
    if (
      passed &&
      this.#config.autoHealing &&
      this.#state === CircuitState.OPEN &&
      (this.#link?.acquireTrialLease(this.#clock.now()) ?? true)
    ) {
      this.#toHalfOpen('health_check');
    }
  }

  #open(reason: StateChangeReason): void {
    const now = this.#clock.now();
    this.#trips++;
    this.#consecutiveTrips++;
    this.#openedAt = now;
    this.#nextAttemptAt = now + this.#cooldownMs();
    this.#transition(CircuitState.OPEN, reason);
  }

  #cooldownMs(): number {
    const { cooldownMs, exponentialBackoff, backoffMultiplier, maxCooldownMs, jitter } = this.#config;
    let delayMs = exponentialBackoff
      ? Math.min(maxCooldownMs, cooldownMs * backoffMultiplier ** (this.#consecutiveTrips - 1))
      : cooldownMs;
    if (jitter > 0) delayMs = Math.round(delayMs * (1 + jitter * (2 * Math.random() - 1)));
    return delayMs;
  }

  #close(reason: StateChangeReason): void {
    this.#window.reset();
    this.#consecutiveFailures = 0;
    this.#consecutiveTrips = 0;
    this.#openedAt = undefined;
    this.#transition(CircuitState.CLOSED, reason);
  }

  #toHalfOpen(reason: StateChangeReason): void {
    this.#trials?.clear();
    this.#trialSuccesses = 0;
    this.#transition(CircuitState.HALF_OPEN, reason);
  }

  #transition(to: CircuitState, reason: StateChangeReason): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#generation++;
    this.#onSuccess = this.#onFailure = undefined;
    metricsCallbacks?.circuitBreakerStateChanged?.(this.name, from, to);
    if (reason !== 'shared_state') this.#link?.transitioned(this.#sharedState(), reason);
    const events = this.#events;
    if (events?.hasListeners) events.emit({ name: this.name, from, to, reason });
  }

  #sharedState(): SharedBreakerState {
    return { state: this.#state, openedAt: this.#openedAt, nextAttemptAt: this.#nextAttemptAt };
  }

  // Operator modes set on this process (disabled, metrics-only) are not overridden from elsewhere.
  #applySharedState(shared: SharedBreakerState): void {
    const local = this.#state;
    if (local === CircuitState.DISABLED || local === CircuitState.METRICS_ONLY) return;
    if (shared.state === CircuitState.OPEN || shared.state === CircuitState.FORCED_OPEN) {
      this.#openedAt = shared.openedAt;
      this.#nextAttemptAt = shared.nextAttemptAt;
      this.#transition(shared.state, 'shared_state');
    } else if (shared.state === CircuitState.CLOSED && local !== CircuitState.CLOSED) {
      this.#close('shared_state');
    }
  }

  #applySharedCounts(counts: SharedOutcomeCounts): void {
    const { calls, failures, slowCalls } = counts;
    if (this.#state !== CircuitState.CLOSED || calls < this.#config.minimumNumberOfCalls) return;
    if (failures / calls >= this.#failureRateThreshold(calls)) this.#open('failure_rate');
    else if (slowCalls / calls >= this.#config.slowCallRateThreshold) this.#open('slow_call_rate');
  }

  #restore(snapshot: CircuitBreakerSnapshot): void {
    const counts = snapshot.counts;
    this.#state = snapshot.state;
    this.#openedAt = snapshot.openedAt ?? undefined;
    this.#nextAttemptAt = snapshot.nextAttemptAt ?? 0;
    this.#consecutiveFailures = snapshot.consecutiveFailures;
    this.#consecutiveTrips = snapshot.consecutiveTrips;
    this.#trialSuccesses = snapshot.trialSuccesses;
    this.#calls = counts.calls;
    this.#successes = counts.successes;
    this.#failures = counts.failures;
    this.#slowCalls = counts.slowCalls;
    this.#timeouts = counts.timeouts;
    this.#rejections = counts.rejections;
    this.#ignored = counts.ignored;
    this.#fallbacks = counts.fallbacks;
    this.#trips = counts.trips;
    if (snapshot.window.type === this.#config.windowType) {
      this.#window.restore(snapshot.window as WindowSnapshot, this.#clock.now());
    }
    if (this.#config.adaptiveThresholds && snapshot.baseline !== null) {
      this.#adaptive = new AdaptiveThreshold(
        this.#config.failureRateThreshold,
        this.#config.windowType === 'count' ? this.#config.windowSize : 100,
        snapshot.baseline,
      );
    }
  }
}

function failureTypeOf(error: unknown): FailureType {
  return error instanceof CircuitBreakerTimeoutError || (error as Error | null)?.name === 'TimeoutError'
    ? FailureType.TIMEOUT
    : FailureType.ERROR;
}

function fail(error: unknown, mode: RunMode): never | Promise<never> {
  if (mode === RunMode.ThrowRejections) throw error;
  return Promise.reject(error);
}

const states = new Set<unknown>(Object.values(CircuitState));

function assertSnapshot(snapshot: CircuitBreakerSnapshot): void {
  const value = snapshot as Partial<CircuitBreakerSnapshot> | null;
  if (
    typeof value !== 'object' ||
    value === null ||
    value.version !== 1 ||
    typeof value.name !== 'string' ||
    !states.has(value.state) ||
    typeof value.counts !== 'object' ||
    typeof value.window !== 'object'
  ) {
    throw new TypeError('CircuitBreaker.fromJSON(snapshot): snapshot must be the output of toJSON()');
  }
}

/** The same class as {@link CircuitBreaker}, under the name some codebases know it by. */
export const BaseCircuitBreaker = CircuitBreaker;
/** The same class as {@link CircuitBreaker}, under the name some codebases know it by. */
export const AdvancedCircuitBreaker = CircuitBreaker;
/** The same class as {@link CircuitBreaker}. */
export type BaseCircuitBreaker = CircuitBreaker;
/** The same class as {@link CircuitBreaker}. */
export type AdvancedCircuitBreaker = CircuitBreaker;
