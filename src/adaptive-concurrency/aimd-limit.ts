import { clamp, type LimitAlgorithm, type LimitBounds, type LimitSample } from './limit-algorithm.js';

/** Settings of the AIMD algorithm. */
export interface AimdSettings extends LimitBounds {
  readonly backoffRatio: number;
  readonly maxLatencyMs: number;
}

/**
 * Additive increase, multiplicative decrease, as in Netflix concurrency-limits' AIMDLimit:
 * a drop (or a call slower than `maxLatencyMs`) multiplies the limit by `backoffRatio`;
 * a success while at least half the limit is in use adds one.
 */
export class AimdLimit implements LimitAlgorithm {
  readonly #settings: AimdSettings;
  #limit: number;

  constructor(settings: AimdSettings) {
    this.#settings = settings;
    this.#limit = settings.initialLimit;
  }

  get estimate(): number {
    return this.#limit;
  }

  update({ rttMs, inflight, didDrop }: LimitSample): void {
    let limit = this.#limit;
    if (didDrop || rttMs > this.#settings.maxLatencyMs)
      limit = Math.floor(limit * this.#settings.backoffRatio);
    else if (inflight * 2 >= limit) limit += 1;
    this.#limit = clamp(limit, this.#settings);
  }
}
