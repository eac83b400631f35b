import { clamp, type LimitAlgorithm, type LimitBounds, type LimitSample } from './limit-algorithm.js';

/** Settings of the Gradient2 algorithm. */
export interface Gradient2Settings extends LimitBounds {
  readonly smoothing: number;
  readonly queueSize: number;
  readonly longWindow: number;
  readonly rttTolerance: number;
}

const warmupSamples = 10;

/** An exponential moving average that starts as a plain average of its first samples. */
class ExponentialAverage {
  readonly #factor: number;
  #value = 0;
  #count = 0;

  constructor(window: number) {
    this.#factor = 2 / (window + 1);
  }

  get value(): number {
    return this.#value;
  }

  add(sample: number): number {
    if (this.#count < warmupSamples) {
      this.#count++;
      this.#value += (sample - this.#value) / this.#count;
    } else this.#value = this.#value * (1 - this.#factor) + sample * this.#factor;
    return this.#value;
  }

  scale(factor: number): void {
    this.#value *= factor;
  }
}

/**
 * Netflix concurrency-limits' Gradient2Limit: compares the average round-trip time of the
 * latest window of calls (about half the limit, so the limit moves about once per round
 * trip, as with the library's windowed limit) with a long-term average, shrinking the
 * limit by the gradient `rttTolerance × long / short` (kept within [0.5, 1]) and growing
 * it by `queueSize`, smoothed by `smoothing`.
 *
 * The original grows without bound under moderate overload: its long-term average follows
 * the rising latency, so the gradient returns to 1 and `queueSize` is added on every
 * sample. Three changes bound it:
 * - the `queueSize` growth applies only when no queueing is measured (gradient 1) and at
 *   least half the limit is in use, while a latency rise lowers the limit even when it is
 *   not fully used;
 * - the long-term average counts for at most `rttTolerance ×` the lowest latency seen, so
 *   sustained queueing cannot become the new normal; the lowest latency is forgotten only
 *   once the limit has fallen to `minLimit`, which is how a service that became slower for
 *   good is learnt;
 * - a drop (timeout or rejection) applies the smallest gradient, 0.5, at once instead of
 *   being ignored, and its latency is left out of the averages.
 */
export class Gradient2Limit implements LimitAlgorithm {
  readonly #settings: Gradient2Settings;
  readonly #longRtt: ExponentialAverage;
  #estimate: number;
  #lowestRttMs = Number.POSITIVE_INFINITY;
  // The current window of successful calls: one update per about half the limit in calls,
  // so the limit moves about once per round trip rather than once per call.
  #windowRttMs = 0;
  #windowCount = 0;
  #windowInflight = 0;

  constructor(settings: Gradient2Settings) {
    this.#settings = settings;
    this.#longRtt = new ExponentialAverage(settings.longWindow);
    this.#estimate = settings.initialLimit;
  }

  get estimate(): number {
    return this.#estimate;
  }

  update({ rttMs, inflight, didDrop }: LimitSample): void {
    if (didDrop) {
      // Overload lowers the limit at once, as if the gradient were at its floor of 0.5.
      this.#settle(this.#estimate * (1 - this.#settings.smoothing / 2));
      return;
    }
    this.#windowRttMs += rttMs;
    this.#windowInflight = Math.max(this.#windowInflight, inflight);
    if (++this.#windowCount < Math.max(1, Math.floor(this.#estimate / 2))) return;
    const averageRttMs = this.#windowRttMs / this.#windowCount;
    const maxInflight = this.#windowInflight;
    this.#windowRttMs = this.#windowCount = this.#windowInflight = 0;
    this.#apply(averageRttMs, maxInflight);
  }

  #apply(rttMs: number, inflight: number): void {
    const { smoothing, queueSize, rttTolerance, minLimit } = this.#settings;
    const estimate = this.#estimate;
    const shortRtt = Math.max(rttMs, Number.EPSILON);
    if (estimate <= minLimit) this.#lowestRttMs = shortRtt;
    else this.#lowestRttMs = Math.min(this.#lowestRttMs, shortRtt);
    const longRtt = this.#longRtt.add(shortRtt);
    // Latency is back to normal after a long overload: let the average catch up faster.
    if (longRtt / shortRtt > 2) this.#longRtt.scale(0.95);
    const reference = Math.min(longRtt, rttTolerance * this.#lowestRttMs);
    const gradient = Math.max(0.5, Math.min(1, (rttTolerance * reference) / shortRtt));
    // Grow only when the limit is in use; a limit that is not used says nothing about capacity.
    if (gradient >= 1 && inflight < estimate / 2) return;
    const target = estimate * gradient + (gradient >= 1 ? queueSize : 0);
    this.#settle(estimate * (1 - smoothing) + target * smoothing);
  }

  #settle(estimate: number): void {
    this.#estimate = clamp(estimate, this.#settings);
  }
}
