/** How many windows' worth of calls the long-run baseline averages over. */
const BASELINE_WINDOWS = 10;
/** How many standard deviations above the baseline the window's failure rate must be to trip. */
const SIGMAS = 5;

/**
 * A failure-rate threshold that follows the dependency's own long-run failure rate.
 *
 * The baseline is an exponentially weighted moving average of call outcomes (1 for a
 * failure, 0 otherwise) whose smoothing spans about ten windows, bias-corrected while it
 * warms up. The effective threshold is the baseline plus five standard deviations of a
 * window's failure rate at that baseline (`sqrt(b(1 - b) / n)`), bounded below by the
 * configured threshold (adapting never makes the breaker more eager to trip) and above by
 * the midpoint between the configured threshold and 1 (a dependency that fails all the
 * time always trips).
 */
export class AdaptiveThreshold {
  readonly #configured: number;
  readonly #ceiling: number;
  readonly #alpha: number;
  #average = 0;
  // (1 - alpha)^n, for bias correction while the average warms up from 0.
  #decay = 1;

  constructor(configured: number, windowCalls: number, baseline?: { average: number; decay: number }) {
    this.#configured = configured;
    this.#ceiling = configured + (1 - configured) / 2;
    this.#alpha = 1 / (BASELINE_WINDOWS * windowCalls);
    if (baseline !== undefined) {
      this.#average = baseline.average;
      this.#decay = baseline.decay;
    }
  }

  /** The long-run failure rate, 0..1. */
  get baseline(): number {
    // Clamped: rounding can put the bias-corrected average a hair outside 0..1.
    return this.#decay === 1 ? 0 : Math.min(1, Math.max(0, this.#average / (1 - this.#decay)));
  }

  observe(failed: boolean): void {
    this.#average += this.#alpha * ((failed ? 1 : 0) - this.#average);
    this.#decay *= 1 - this.#alpha;
  }

  /** The threshold the window's failure rate is compared with, for a window of `calls` calls. */
  threshold(calls: number): number {
    const baseline = this.baseline;
    const adapted = baseline + SIGMAS * Math.sqrt((baseline * (1 - baseline)) / calls);
    return Math.min(this.#ceiling, Math.max(this.#configured, adapted));
  }

  toJSON(): { average: number; decay: number } {
    return { average: this.#average, decay: this.#decay };
  }
}
