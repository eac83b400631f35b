import {
  type Clock,
  neverAbortedSignal,
  onAbort,
  type Policy,
  type PolicyContext,
  type PolicyFunction,
  rules,
  type Schema,
  systemClock,
  validateConfig,
  withoutStackTrace,
} from '../core/index.js';
import { type CallOutcome, metricsCallbacks } from '../metrics/index.js';
import { Deadline, type DeadlineLane, deadlineLane } from './deadline-queue.js';
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
export class TimeoutPolicy implements Policy {
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
    return new TimeoutCall<T>(this.#settings, signal).run(fn);
  }
}

function report(settings: TimeoutSettings, outcome: CallOutcome, startedAt: number): void {
  metricsCallbacks?.callCompleted?.('timeout', settings.name, outcome, settings.clock.now() - startedAt);
}

// Settle functions of the promise a call returns; typed loosely as the call stores them untyped.
type Settle = (value: any) => void;

// The promise executor is one shared function, not a closure per call: it stores the settle
// functions on the call being started.
let starting: TimeoutCall<unknown> | undefined;

/** One call under a {@link TimeoutPolicy}: its context, its deadline and its outcome. */
class TimeoutCall<T> extends Deadline implements PolicyContext {
  readonly attempt = 1;
  readonly #settings: TimeoutSettings;
  readonly #parent: AbortSignal | undefined;
  #controller: AbortController | undefined;
  #abortReason: { reason: unknown } | undefined;
  #startedAt = 0;
  #settled = false;
  #resolve: Settle | undefined;
  #reject: Settle | undefined;
  #unlisten: (() => void) | undefined;

  constructor(settings: TimeoutSettings, parent: AbortSignal | undefined) {
    super();
    this.#settings = settings;
    this.#parent = parent;
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
      const aborted =
        this.#abortReason ?? (this.#parent?.aborted ? { reason: this.#parent.reason } : undefined);
      if (aborted !== undefined) this.#controller.abort(aborted.reason);
    }
    return this.#controller.signal;
  }

  run(fn: PolicyFunction<T>): Promise<T> {
    const settings = this.#settings;
    const startedAt = (this.#startedAt = settings.clock.now());
    let result: T | PromiseLike<T>;
    try {
      result = fn(this);
    } catch (error) {
      this.#settled = true;
      report(settings, 'failure', startedAt);
      return Promise.reject(error);
    }
    if (typeof (result as PromiseLike<T> | null)?.then !== 'function') {
      this.#settled = true;
      report(settings, 'success', startedAt);
      return Promise.resolve(result as T);
    }
    starting = this as TimeoutCall<unknown>;
    const settled = new Promise<T>(TimeoutCall.#capture);
    if (settings.lane !== undefined) this.schedule(settings.lane, startedAt);
    if (this.#parent !== undefined)
      this.#unlisten = onAbort(this.#parent, (reason) => this.#parentAborted(reason));
    // Promise.resolve returns a native promise as is, and calls a foreign thenable's `then` safely.
    Promise.resolve(result).then(
      (value) => this.#fulfilled(value),
      (error: unknown) => this.#rejected(error),
    );
    return settled;
  }

  static #capture(resolve: Settle, reject: Settle): void {
    starting!.#resolve = resolve;
    starting!.#reject = reject;
    starting = undefined;
  }

  /** Marks the call settled and releases its deadline and listener; `false` if it already was. */
  #finish(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.cancel();
    this.#unlisten?.();
    return true;
  }

  #fulfilled(value: T): void {
    if (!this.#finish()) return;
    report(this.#settings, 'success', this.#startedAt);
    this.#resolve!(value);
  }

  #rejected(error: unknown): void {
    if (!this.#finish()) return;
    report(this.#settings, 'failure', this.#startedAt);
    this.#reject!(error);
  }

  #parentAborted(reason: unknown): void {
    if (!this.#finish()) return;
    this.#abort(reason);
    report(this.#settings, 'failure', this.#startedAt);
    this.#reject!(reason);
  }

  protected expire(): void {
    if (!this.#finish()) return;
    const settings = this.#settings;
    const error = withoutStackTrace(() => new TimeoutError(settings.ms, settings.message));
    metricsCallbacks?.timeoutOccurred?.(settings.name, settings.clock.now() - this.#startedAt);
    report(settings, settings.fallback === undefined ? 'timeout' : 'fallback', this.#startedAt);
    this.#abort(error);
    const fallback = settings.fallback;
    if (fallback === undefined) {
      this.#reject!(error);
      return;
    }
    try {
      this.#resolve!(typeof fallback === 'function' ? fallback(error) : fallback);
    } catch (fallbackError) {
      this.#reject!(fallbackError);
    }
  }

  #abort(reason: unknown): void {
    this.#abortReason = { reason };
    this.#controller?.abort(reason);
  }
}
