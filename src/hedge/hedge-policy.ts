import {
  CallSignal,
  type Clock,
  keepAlive,
  onAbort,
  type Policy,
  type PolicyContext,
  type PolicyFunction,
  rules,
  systemClock,
  type TimerHandle,
  validateConfig,
  withoutStackTrace,
} from '../core/index.js';
import { type CallOutcome, metricsCallbacks } from '../metrics/index.js';
import { HedgeLostError } from './hedge-lost-error.js';

/** Options of {@link HedgePolicy} and {@link withHedge}. */
export interface HedgeOptions {
  /**
   * How long to wait for an attempt before starting the next one; `0` starts every
   * attempt at once. Required.
   */
  delayMs: number;
  /**
   * How many extra attempts may start besides the first.
   * @default 1
   */
  maxHedgedAttempts?: number | undefined;
  /**
   * The name reported to metrics.
   * @default 'hedge'
   */
  name?: string | undefined;
  /**
   * The clock the delays run on.
   * @default systemClock
   */
  clock?: Clock | undefined;
}

const schema = {
  delayMs: rules.duration(0),
  maxHedgedAttempts: rules.integer(0, 100),
  name: rules.string,
  clock: rules.clock,
};

/**
 * Hedges slow calls: when an attempt has not answered after `delayMs`, starts another
 * (up to `maxHedgedAttempts` more), takes the first success and aborts the others, each
 * of which has its own signal (aborted with a {@link HedgeLostError}). A failed attempt
 * makes room for the next one at once; the call fails only when every attempt has
 * failed, with the last attempt's error. `ctx.attempt` numbers the attempts from 1.
 *
 * @example
 * const hedged = new HedgePolicy({ delayMs: 50, maxHedgedAttempts: 2 });
 * const user = await hedged.execute(({ signal }) => replicas.next().get(id, { signal }));
 *
 * @throws TypeError or RangeError at construction when an option is missing or invalid.
 */
export class HedgePolicy implements Policy {
  readonly name: string;
  readonly delayMs: number;
  readonly maxHedgedAttempts: number;
  /** The clock the delays run on. */
  readonly clock: Clock;

  constructor(options: HedgeOptions) {
    validateConfig<HedgeOptions>('HedgeOptions', options, schema);
    if (options?.delayMs === undefined) {
      throw new TypeError('HedgeOptions.delayMs is required: a duration in ms >= 0');
    }
    this.delayMs = options.delayMs;
    this.maxHedgedAttempts = options.maxHedgedAttempts ?? 1;
    this.name = options.name ?? 'hedge';
    this.clock = options.clock ?? systemClock;
  }

  /** Runs `fn`, hedging it when it is slow; an aborted `signal` aborts every attempt and rejects with its reason. */
  execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      new HedgedCall(
        this,
        fn as PolicyFunction<unknown>,
        signal,
        resolve as (value: unknown) => void,
        reject,
      );
    });
  }
}

/** One attempt: its context, whose signal is created only if the function reads it. */
class Attempt implements PolicyContext {
  readonly #callSignal = new CallSignal();
  /** Whether the attempt has answered, so a loser is aborted only while it still runs. */
  done = false;

  constructor(readonly attempt: number) {}

  get signal(): AbortSignal {
    return this.#callSignal.signal;
  }

  abort(reason: unknown): void {
    if (!this.done) this.#callSignal.abort(reason);
  }
}

/** One hedged call: its attempts, its hedge timer and how it settles. */
class HedgedCall {
  readonly #policy: HedgePolicy;
  readonly #fn: PolicyFunction<unknown>;
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (reason: unknown) => void;
  readonly #attempts: Attempt[] = [];
  readonly #startedAt: number;
  readonly #removeAbortListener: () => void;
  #running = 0;
  #settled = false;
  #timer: TimerHandle | undefined;

  constructor(
    policy: HedgePolicy,
    fn: PolicyFunction<unknown>,
    signal: AbortSignal | undefined,
    resolve: (value: unknown) => void,
    reject: (reason: unknown) => void,
  ) {
    this.#policy = policy;
    this.#fn = fn;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#startedAt = metricsCallbacks?.callCompleted === undefined ? Number.NaN : policy.clock.now();
    this.#removeAbortListener = onAbort(signal, (reason) => this.#settle('aborted', reason));
    this.#launch();
  }

  get #canHedge(): boolean {
    return this.#attempts.length <= this.#policy.maxHedgedAttempts;
  }

  #launch(): void {
    do {
      const attempt = new Attempt(this.#attempts.length + 1);
      this.#attempts.push(attempt);
      this.#running++;
      let result: unknown;
      try {
        result = this.#fn(attempt);
      } catch (error) {
        this.#failed(attempt, error);
        return;
      }
      Promise.resolve(result).then(
        (value) => {
          attempt.done = true;
          this.#settle('success', value);
        },
        (error: unknown) => this.#failed(attempt, error),
      );
    } while (this.#policy.delayMs === 0 && this.#canHedge && !this.#settled);
    if (this.#canHedge && !this.#settled) {
      this.#timer = keepAlive(this.#policy.clock.setTimeout(this.#hedge, this.#policy.delayMs));
    }
  }

  readonly #hedge = (): void => {
    this.#timer = undefined;
    if (!this.#settled) this.#launch();
  };

  #failed(attempt: Attempt, error: unknown): void {
    attempt.done = true;
    if (this.#settled) return;
    this.#running--;
    if (this.#canHedge) {
      this.#clearTimer();
      this.#launch();
    } else if (this.#running === 0) this.#settle('failure', error);
  }

  /** Settles the call once: resolves with `result` on success, otherwise rejects with it. */
  #settle(outcome: CallOutcome | 'aborted', result: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#clearTimer();
    this.#removeAbortListener();
    if (this.#running > 1 || outcome === 'aborted') {
      const reason = outcome === 'aborted' ? result : withoutStackTrace(() => new HedgeLostError());
      for (const attempt of this.#attempts) attempt.abort(reason);
    }
    if (outcome !== 'aborted' && !Number.isNaN(this.#startedAt)) {
      const durationMs = this.#policy.clock.now() - this.#startedAt;
      metricsCallbacks?.callCompleted?.('hedge', this.#policy.name, outcome, durationMs);
    }
    if (outcome === 'success') this.#resolve(result);
    else this.#reject(result);
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#policy.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
