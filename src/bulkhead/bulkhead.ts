import {
  type Clock,
  contextFor,
  onAbort,
  type Policy,
  type PolicyFunction,
  type Rule,
  rules,
  systemClock,
  type TimerHandle,
  validateConfig,
  withoutStackTrace,
} from '../core/index.js';
import { type CallOutcome, metricsCallbacks, runMeasured } from '../metrics/index.js';
import { BulkheadRejectedError, type BulkheadRejectionReason } from './bulkhead-rejected-error.js';

/** Options of {@link Bulkhead} and {@link withBulkhead}. */
export interface BulkheadOptions {
  /** How many calls may run at once. Required. */
  maxConcurrent: number;
  /**
   * How many calls may wait, first in first out, for a slot; `Infinity` removes the bound.
   * @default 0
   */
  maxQueue?: number | undefined;
  /**
   * How long a queued call waits for a slot before it is rejected.
   * @default undefined (until a slot frees or its signal aborts)
   */
  queueTimeoutMs?: number | undefined;
  /**
   * The name reported in errors and to metrics.
   * @default 'bulkhead'
   */
  name?: string | undefined;
  /**
   * The clock the queue timeout runs on.
   * @default systemClock
   */
  clock?: Clock | undefined;
}

/** A bulkhead's occupancy and how many calls it has refused. */
export interface BulkheadStats {
  /** Calls running now. */
  readonly active: number;
  /** Calls waiting for a slot. */
  readonly queued: number;
  /** Calls refused since the bulkhead was created (full, or timed out in the queue). */
  readonly rejected: number;
}

const queueLength: Rule = {
  expected: 'an integer >= 0 or Infinity',
  type: 'range',
  test: (value) => value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && (value as number) >= 0),
};

const schema = {
  maxConcurrent: rules.integer(1),
  maxQueue: queueLength,
  queueTimeoutMs: rules.duration(0, { infinite: true }),
  name: rules.string,
  clock: rules.clock,
};

/** A call waiting for a slot: a node of the bulkhead's intrusive FIFO list. */
interface QueuedCall {
  readonly fn: PolicyFunction<unknown>;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  readonly startedAt: number;
  readonly deadlineMs: number;
  removeAbortListener: () => void;
  previous: QueuedCall | undefined;
  next: QueuedCall | undefined;
}

/**
 * Limits how many calls run at once; calls beyond the limit wait in a bounded FIFO queue
 * or are refused at once with {@link BulkheadRejectedError}. A queued call whose signal
 * aborts leaves the queue at once, rejecting with `signal.reason`.
 *
 * @example
 * const db = new Bulkhead({ maxConcurrent: 10, maxQueue: 100, queueTimeoutMs: 2000, name: 'db' });
 * const rows = await db.execute(({ signal }) => pool.query(sql, { signal }));
 *
 * @throws TypeError or RangeError at construction when an option is missing or invalid.
 */
export class Bulkhead implements Policy {
  readonly name: string;
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  readonly queueTimeoutMs: number | undefined;
  readonly #clock: Clock;
  #active = 0;
  #queued = 0;
  #rejected = 0;
  #head: QueuedCall | undefined;
  #tail: QueuedCall | undefined;
  // Deadlines grow in queue order, so one timer, armed for the head's deadline, serves the whole queue.
  #timer: TimerHandle | undefined;

  constructor(options: BulkheadOptions | number) {
    const config = typeof options === 'number' ? { maxConcurrent: options } : options;
    validateConfig<BulkheadOptions>('BulkheadOptions', config, schema);
    if (config?.maxConcurrent === undefined) {
      throw new TypeError('BulkheadOptions.maxConcurrent is required: an integer >= 1');
    }
    this.maxConcurrent = config.maxConcurrent;
    this.maxQueue = config.maxQueue ?? 0;
    this.queueTimeoutMs =
      config.queueTimeoutMs === Number.POSITIVE_INFINITY ? undefined : config.queueTimeoutMs;
    this.name = config.name ?? 'bulkhead';
    this.#clock = config.clock ?? systemClock;
  }

  /** Current occupancy and the number of refused calls. */
  getStats(): BulkheadStats {
    return { active: this.#active, queued: this.#queued, rejected: this.#rejected };
  }

  /**
   * Runs `fn` in a free slot, queues it, or rejects with {@link BulkheadRejectedError}.
   * An aborted `signal` rejects with its reason before `fn` starts.
   */
  execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const startedAt = metricsCallbacks?.callCompleted === undefined ? Number.NaN : this.#clock.now();
    if (this.#active < this.maxConcurrent) {
      this.#active++;
      this.#changed();
      return this.#run(fn, signal, startedAt);
    }
    if (this.#queued < this.maxQueue) return this.#enqueue(fn, signal, startedAt);
    return Promise.reject(this.#refuse('full', startedAt));
  }

  /** Runs `fn` in a slot already taken; the slot is released when it settles. */
  #run<T>(fn: PolicyFunction<T>, signal: AbortSignal | undefined, startedAt: number): Promise<T> {
    if (!Number.isNaN(startedAt)) {
      return runMeasured(fn, signal, (outcome) => {
        this.#release();
        this.#report(outcome, startedAt);
      });
    }
    let result: T | PromiseLike<T>;
    try {
      result = fn(contextFor(signal));
    } catch (error) {
      this.#release();
      return Promise.reject(error);
    }
    // Handlers bound once per bulkhead: the fast path allocates only the promise it returns.
    return Promise.resolve(result).then(this.#releaseWith, this.#releaseRethrowing) as Promise<T>;
  }

  readonly #releaseWith = (value: unknown): unknown => {
    this.#release();
    return value;
  };

  readonly #releaseRethrowing = (error: unknown): never => {
    this.#release();
    throw error;
  };

  /** Hands the slot to the next queued call, or frees it. */
  #release(): void {
    const next = this.#head;
    if (next === undefined) {
      this.#active--;
      this.#changed();
      return;
    }
    this.#unlink(next);
    next.removeAbortListener();
    this.#changed();
    this.#run(next.fn, next.signal, next.startedAt).then(next.resolve, next.reject);
  }

  #enqueue<T>(fn: PolicyFunction<T>, signal: AbortSignal | undefined, startedAt: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = this.queueTimeoutMs;
      const call: QueuedCall = {
        fn,
        signal,
        resolve: resolve as (value: unknown) => void,
        reject,
        startedAt,
        deadlineMs: timeoutMs === undefined ? Number.POSITIVE_INFINITY : this.#clock.now() + timeoutMs,
        removeAbortListener: noop,
        previous: this.#tail,
        next: undefined,
      };
      if (this.#tail === undefined) this.#head = call;
      else this.#tail.next = call;
      this.#tail = call;
      this.#queued++;
      call.removeAbortListener = onAbort(signal, (reason) => {
        this.#unlink(call);
        this.#changed();
        reject(reason);
      });
      if (timeoutMs !== undefined && this.#timer === undefined) this.#armTimer(call.deadlineMs);
      this.#changed();
    });
  }

  #unlink(call: QueuedCall): void {
    if (call.previous === undefined) this.#head = call.next;
    else call.previous.next = call.next;
    if (call.next === undefined) this.#tail = call.previous;
    else call.next.previous = call.previous;
    call.previous = call.next = undefined;
    this.#queued--;
    if (this.#head === undefined && this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #armTimer(dueMs: number): void {
    this.#timer = this.#clock.setTimeout(this.#expire, Math.max(0, dueMs - this.#clock.now()));
  }

  readonly #expire = (): void => {
    this.#timer = undefined;
    const now = this.#clock.now();
    let expired = false;
    for (let call = this.#head; call !== undefined && call.deadlineMs <= now; call = this.#head) {
      this.#unlink(call);
      call.removeAbortListener();
      call.reject(this.#refuse('queue_timeout', call.startedAt));
      expired = true;
    }
    if (this.#head !== undefined && this.#timer === undefined) this.#armTimer(this.#head.deadlineMs);
    if (expired) this.#changed();
  };

  #refuse(reason: BulkheadRejectionReason, startedAt: number): BulkheadRejectedError {
    this.#rejected++;
    if (!Number.isNaN(startedAt)) this.#report('rejected', startedAt);
    return withoutStackTrace(() => new BulkheadRejectedError(this.name, this.maxConcurrent, reason));
  }

  #report(outcome: CallOutcome, startedAt: number): void {
    metricsCallbacks?.callCompleted?.('bulkhead', this.name, outcome, this.#clock.now() - startedAt);
  }

  #changed(): void {
    metricsCallbacks?.bulkheadChanged?.(this.name, this.#active, this.#queued);
  }
}

function noop(): void {}
