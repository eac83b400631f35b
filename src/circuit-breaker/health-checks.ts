import { type Clock, type Disposable, type TimerHandle, toDisposable } from '../core/index.js';

/**
 * A health check attached to a breaker: passes unless it throws, rejects or returns `false`.
 * It receives a signal that aborts when the check runs past its time limit.
 */
export type BreakerHealthCheckFunction = (signal: AbortSignal) => unknown;

/** A named health check, with an optional time limit. */
export interface BreakerHealthCheck {
  readonly name?: string | undefined;
  readonly check: BreakerHealthCheckFunction;
  /**
   * A check still running after this long fails.
   * @default healthCheckIntervalMs, or 5000 when checks run only on demand
   */
  readonly timeoutMs?: number | undefined;
}

interface Entry {
  readonly name: string;
  readonly check: BreakerHealthCheckFunction;
  readonly timeoutMs: number | undefined;
}

/**
 * The health checks of one breaker, and the timer that runs them every `intervalMs`:
 * armed only while a check is attached, unref'd, and cleared by `dispose()`.
 */
export class HealthChecks {
  readonly #clock: Clock;
  readonly #intervalMs: number | undefined;
  readonly #onResults: (passed: boolean) => void;
  #entries: readonly Entry[] = [];
  #timer: TimerHandle | undefined;
  #running = false;
  #disposed = false;
  #counter = 0;
  last: Readonly<Record<string, boolean>> | undefined;

  constructor(clock: Clock, intervalMs: number | undefined, onResults: (passed: boolean) => void) {
    this.#clock = clock;
    this.#intervalMs = intervalMs;
    this.#onResults = onResults;
  }

  get size(): number {
    return this.#entries.length;
  }

  add(check: BreakerHealthCheck | BreakerHealthCheckFunction): Disposable {
    const described = typeof check === 'function' ? { check } : check;
    if (typeof described?.check !== 'function') {
      throw new TypeError('addHealthCheck(check): check must be a function or { name?, check, timeoutMs? }');
    }
    this.#counter++;
    const entry: Entry = {
      name: described.name ?? (described.check.name || `check${this.#counter}`),
      check: described.check,
      timeoutMs: described.timeoutMs,
    };
    this.#entries = [...this.#entries, entry];
    this.#schedule();
    return toDisposable(() => {
      this.#entries = this.#entries.filter((candidate) => candidate !== entry);
      if (this.#entries.length === 0) this.#stop();
    });
  }

  async run(): Promise<Record<string, boolean>> {
    const entries = this.#entries;
    const outcomes = await Promise.all(entries.map((entry) => this.#runOne(entry)));
    const results: Record<string, boolean> = {};
    entries.forEach((entry, index) => {
      results[entry.name] = outcomes[index]!;
    });
    this.last = results;
    if (entries.length > 0) this.#onResults(outcomes.every(Boolean));
    return results;
  }

  dispose(): void {
    this.#disposed = true;
    this.#stop();
  }

  async #runOne(entry: Entry): Promise<boolean> {
    const controller = new AbortController();
    const limitMs = entry.timeoutMs ?? this.#intervalMs ?? 5000;
    let timer: TimerHandle | undefined;
    const expired = new Promise<false>((resolve) => {
      timer = this.#clock.setTimeout(() => {
        controller.abort(new Error(`health check "${entry.name}" timed out after ${limitMs} ms`));
        resolve(false);
      }, limitMs);
    });
    const outcome = (async () => (await entry.check(controller.signal)) !== false)().catch(() => false);
    try {
      return await Promise.race([outcome, expired]);
    } finally {
      this.#clock.clearTimeout(timer);
    }
  }

  #schedule(): void {
    if (this.#intervalMs === undefined || this.#timer !== undefined || this.#running || this.#disposed)
      return;
    if (this.#entries.length === 0) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#running = true;
      void this.run().finally(() => {
        this.#running = false;
        this.#schedule();
      });
    }, this.#intervalMs);
  }

  #stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
