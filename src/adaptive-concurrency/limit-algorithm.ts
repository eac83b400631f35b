/** One finished call, as an adaptive limit algorithm sees it. */
export interface LimitSample {
  /** How long the call took, in ms. */
  readonly rttMs: number;
  /** How many calls were in flight when it started, itself included. */
  readonly inflight: number;
  /** Whether the call was dropped: it timed out or was rejected downstream. */
  readonly didDrop: boolean;
}

/** Computes a concurrency limit from samples of finished calls. */
export interface LimitAlgorithm {
  /** The current estimate; the limiter admits `Math.floor(estimate)` calls at once. */
  readonly estimate: number;
  /** Updates the estimate with one finished call. */
  update(sample: LimitSample): void;
}

/** Bounds shared by every algorithm. */
export interface LimitBounds {
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
}

export function clamp(value: number, { minLimit, maxLimit }: LimitBounds): number {
  return Math.min(maxLimit, Math.max(minLimit, value));
}
