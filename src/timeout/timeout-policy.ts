import {
  abortOf,
  attemptStart,
  type Chain,
  type ChainablePolicy,
  type Clock,
  type Continuation,
  invoke,
  type LazySignalContext,
  neverAbortedSignal,
  onAbort,
  type PolicyContext,
  type PolicyFunction,
  peekAbort,
  rules,
  runChained,
  type Schema,
  Settlement,
  settledPromise,
  systemClock,
  validateConfig,
  withoutStackTrace,
} from '../core/index.js';
import { type CallOutcome, metricsCallbacks } from '../metrics/index.js';
import { type DeadlineEntry, type DeadlineLane, deadlineLane } from './deadline-queue.js';
import { TimeoutError } from './errors.js';

/** The value to answer with instead of a {@link TimeoutError}, or a function of that error building it. */
export type TimeoutFallback<T = unknown> = T | ((error: TimeoutError) => T | PromiseLike<T>);

/** Options of {@link TimeoutPolicy}, {@link withTimeout} and {@link timeout}. */
export interface TimeoutOptions {
  /** How long a call may run, in ms; `Infinity` never times out. */
  ms: number;
  /**
   * Answers a timed-out call instead of rejecting it with the {@link TimeoutError}.
   * @default none: the call rejects
   */
  fallback?: TimeoutFallback | undefined;
  /**
   * The {@link TimeoutError}'s message.
   * @default 'Timed out after <ms> ms'
   */
  message?: string | undefined;
  /**
   * The operation name reported to metrics.
   * @default 'timeout' (the decorator and higher-order function use `Class.method` or the function's name)
   */
  name?: string | undefined;
  /** The source of time. @default systemClock */
  clock?: Clock | undefined;
}

export const timeoutOptionsSchema: Schema<TimeoutOptions> = {
  ms: rules.duration(1, { infinite: true }),
  fallback: rules.any,
  message: rules.string,
  name: rules.string,
  clock: rules.clock,
};

/** Reads `ms | options`, validating it. */
export function timeoutOptions(
  msOrOptions: number | TimeoutOptions,
  schema = timeoutOptionsSchema,
): TimeoutOptions {
  const options = typeof msOrOptions === 'number' ? { ms: msOrOptions } : msOrOptions;
  validateConfig<TimeoutOptions>('TimeoutOptions', options, schema);
  if (options?.ms === undefined) {
    throw new TypeError(`TimeoutOptions.ms must be ${schema.ms.expected}, received undefined`);
  }
  return options;
}

/** What every call of one policy shares. */
interface TimeoutSettings {
  readonly ms: number;
  readonly name: string;
  readonly clock: Clock;
  /** Where the policy's deadlines go; `undefined` when it never times out. */
  readonly lane: DeadlineLane | undefined;
  readonly fallback: TimeoutFallback | undefined;
  readonly message: string | undefined;
}

/**
 * Bounds how long a call may take. At the deadline the call's `AbortSignal` (`ctx.signal`)
 * aborts with the {@link TimeoutError} as its reason, and the call rejects with that error,
 * or answers with `fallback`; the work itself stops only if it listens to the signal. When
 * the caller's signal aborts first, the call rejects with `signal.reason`.
 *
 * A call creates its `AbortController` only if the function reads `ctx.signal`, and all
 * deadlines on a clock share one timer, so a call that finishes in time costs little more
 * than the call itself.
 *
 * @example
 * const policy = new TimeoutPolicy(2000);
 * const report = await policy.execute(({ signal }) => fetch(reportUrl, { signal }));
 * @throws TypeError or RangeError naming the invalid option.
 */
export class TimeoutPolicy implements ChainablePolicy {
  /** The operation name reported to metrics. */
  readonly name: string;
  /** How long a call may run; `Infinity` never times out. */
  readonly timeoutMs: number;
  readonly #settings: TimeoutSettings;

  constructor(msOrOptions: number | TimeoutOptions) {
    const options = timeoutOptions(msOrOptions);
    const clock = options.clock ?? systemClock;
    this.name = options.name ?? 'timeout';
    this.timeoutMs = options.ms;
    this.#settings = {
      ms: options.ms,
      name: this.name,
      clock,
      lane: Number.isFinite(options.ms) ? deadlineLane(clock, options.ms) : undefined,
      fallback: options.fallback,
      message: options.message,
    };
  }

  execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const settlement = new Settlement<T>();
    new TimeoutCall<T>(this.#settings, signal, 1, settlement).runFunction(fn);
    return settledPromise(settlement);
  }

  [runChained]<T>(
    chain: Chain<T>,
    position: number,
    context: PolicyContext,
    continuation: Continuation<T>,
  ): void {
    const aborted = abortOf(context);
    if (aborted !== undefined) {
      continuation.reject(aborted.reason);
      return;
    }
    // Inside another timeout's call, this one listens to that call, not to a signal built for it.
    const parent =
      context instanceof TimeoutCall
        ? (context as TimeoutCall<unknown>)
        : context.signal === neverAbortedSignal
          ? undefined
          : context.signal;
    new TimeoutCall<T>(this.#settings, parent, context.attempt, continuation).run(chain, position);
  }
}

function report(settings: TimeoutSettings, outcome: CallOutcome, startedAt: number): void {
  metricsCallbacks?.callCompleted?.('timeout', settings.name, outcome, settings.clock.now() - startedAt);
}

/**
 * One call under a {@link TimeoutPolicy}: the context its function gets, its deadline, and
 * the continuation of the function's outcome, passed on unless the deadline came first.
 */
class TimeoutCall<T> implements LazySignalContext, Continuation<T>, DeadlineEntry {
  readonly attempt: number;
  startedAtMs = 0;
  deadlineLane: DeadlineLane | undefined;
  deadlinePrevious: DeadlineEntry | undefined;
  deadlineNext: DeadlineEntry | undefined;
  readonly #settings: TimeoutSettings;
  // What aborts this call besides its deadline: the caller's signal, or a timeout's call around it.
  readonly #parent: AbortSignal | TimeoutCall<unknown> | undefined;
  // Timeouts' calls inside this one, aborted with it.
  #inner: Set<TimeoutCall<unknown>> | undefined;
  readonly #continuation: Continuation<T>;
  #controller: AbortController | undefined;
  #abortReason: { reason: unknown } | undefined;
  #settled = false;
  #unlisten: (() => void) | undefined;

  constructor(
    settings: TimeoutSettings,
    parent: AbortSignal | TimeoutCall<unknown> | undefined,
    attempt: number,
    continuation: Continuation<T>,
  ) {
    this.#settings = settings;
    this.#parent = parent;
    this.attempt = attempt;
    this.#continuation = continuation;
  }

  // Serialized and logged as the context its function sees, not as the deadline list it is in.
  toJSON(): { attempt: number } {
    return { attempt: this.attempt };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): { attempt: number } {
    return this.toJSON();
  }

  /** Created on first read: a call that never looks at its signal pays for no AbortController. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      if (
        this.#abortReason === undefined &&
        this.#parent === undefined &&
        this.#settings.lane === undefined
      ) {
        return neverAbortedSignal;
      }
      this.#controller = new AbortController();
      const aborted = this[peekAbort]();
      if (aborted !== undefined) this.#controller.abort(aborted.reason);
    }
    return this.#controller.signal;
  }
  [peekAbort](): { readonly reason: unknown } | undefined {
    const parent = this.#parent;
    if (this.#abortReason !== undefined || parent === undefined) return this.#abortReason;
    if (parent instanceof TimeoutCall) return parent[peekAbort]();
    return parent.aborted ? { reason: parent.reason } : undefined;
  }

  /** Starts the clock and runs the rest of `chain`, this policy being at `position`. */
  run(chain: Chain<T>, position: number): void {
    this.#start();
    chain.proceed(position + 1, this, this);
  }

  /** Starts the clock and runs `fn`. */
  runFunction(fn: PolicyFunction<T>): void {
    this.#start();
    invoke(fn, this, this);
  }

  #start(): void {
    const settings = this.#settings;
    this.startedAtMs = attemptStart(settings.clock);
    settings.lane?.add(this);
    if (this.#parent !== undefined) this.#watch(this.#parent);
  }

  #watch(parent: AbortSignal | TimeoutCall<unknown>): void {
    if (parent instanceof TimeoutCall) (parent.#inner ??= new Set()).add(this as TimeoutCall<unknown>);
    else this.#unlisten = onAbort(parent, (reason) => this.#parentAborted(reason));
  }

  /** Marks the call settled and releases its deadline and listener; `false` if it already was. */
  #finish(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.deadlineLane?.cancel(this);
    if (this.#parent !== undefined) this.#unwatch(this.#parent);
    return true;
  }

  #unwatch(parent: AbortSignal | TimeoutCall<unknown>): void {
    if (parent instanceof TimeoutCall) parent.#inner?.delete(this as TimeoutCall<unknown>);
    else this.#unlisten?.();
  }

  resolve(value: T): void {
    if (!this.#finish()) return;
    report(this.#settings, 'success', this.startedAtMs);
    this.#continuation.resolve(value);
  }

  reject(error: unknown): void {
    if (!this.#finish()) return;
    report(this.#settings, 'failure', this.startedAtMs);
    this.#continuation.reject(error);
  }

  #parentAborted(reason: unknown): void {
    if (!this.#finish()) return;
    this.#abort(reason);
    report(this.#settings, 'failure', this.startedAtMs);
    this.#continuation.reject(reason);
  }

  expire(): void {
    if (!this.#finish()) return;
    const settings = this.#settings;
    const error = withoutStackTrace(() => new TimeoutError(settings.ms, settings.message));
    metricsCallbacks?.timeoutOccurred?.(settings.name, settings.clock.now() - this.startedAtMs);
    report(settings, settings.fallback === undefined ? 'timeout' : 'fallback', this.startedAtMs);
    this.#abort(error);
    const fallback = settings.fallback;
    if (fallback === undefined) this.#continuation.reject(error);
    else
      invoke(() => (typeof fallback === 'function' ? fallback(error) : fallback), this, this.#continuation);
  }

  #abort(reason: unknown): void {
    this.#abortReason = { reason };
    this.#controller?.abort(reason);
    if (this.#inner !== undefined) for (const inner of [...this.#inner]) inner.#parentAborted(reason);
  }
}
