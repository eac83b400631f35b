/**
 * Failure times inside a sliding window, as OTP counts restarts: a failure exactly
 * `windowMs` after an earlier one still sees it.
 */
export class RestartBudget {
  #times: number[] = [];

  constructor(
    readonly maxFailures: number,
    readonly windowMs: number,
  ) {}

  /** Records a failure at `now`; returns whether the budget is now exceeded. */
  record(now: number): boolean {
    this.#prune(now);
    this.#times.push(now);
    return this.#times.length > this.maxFailures;
  }

  /** Failures inside the window ending at `now`. */
  count(now: number): number {
    this.#prune(now);
    return this.#times.length;
  }

  reset(): void {
    this.#times = [];
  }

  #prune(now: number): void {
    const oldest = now - this.windowMs;
    let drop = 0;
    while (drop < this.#times.length && this.#times[drop]! < oldest) drop++;
    if (drop > 0) this.#times.splice(0, drop);
  }
}
