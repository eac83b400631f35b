/**
 * Mean and variance of the last `capacity` values, kept in a ring buffer and updated in
 * O(1) per value with Welford's method (adding the new value, removing the evicted one).
 */
export class WindowStats {
  readonly #values: Float64Array;
  #next = 0;
  #count = 0;
  #mean = 0;
  #m2 = 0;

  constructor(capacity: number) {
    this.#values = new Float64Array(capacity);
  }

  get count(): number {
    return this.#count;
  }

  get mean(): number {
    return this.#mean;
  }

  /** The population standard deviation of the values in the window. */
  get stdDev(): number {
    return this.#count === 0 ? 0 : Math.sqrt(this.#m2 / this.#count);
  }

  push(value: number): void {
    const values = this.#values;
    let exact = false;
    if (this.#count === values.length) {
      const evicted = values[this.#next]!;
      const delta = value - evicted;
      const oldMean = this.#mean;
      const oldM2 = this.#m2;
      this.#mean = oldMean + delta / this.#count;
      this.#m2 += delta * (value - this.#mean + evicted - oldMean);
      // When a large value leaves, the variance collapses but keeps rounding error of the old
      // magnitude; an exact pass then keeps, say, a now-constant window at exactly 0.
      exact = this.#m2 < oldM2 * 1e-6;
    } else {
      this.#count++;
      const delta = value - this.#mean;
      this.#mean += delta / this.#count;
      this.#m2 += delta * (value - this.#mean);
    }
    values[this.#next] = value;
    this.#next++;
    if (this.#next === values.length) {
      this.#next = 0;
      // Sliding updates accumulate rounding error; an exact pass once per lap bounds it at
      // O(1) amortised cost.
      exact = true;
    }
    if (exact) this.#recompute();
    else if (this.#m2 < 0) this.#m2 = 0;
  }

  #recompute(): void {
    const values = this.#values;
    const count = this.#count;
    let sum = 0;
    for (let index = 0; index < count; index++) sum += values[index]!;
    const mean = sum / count;
    let m2 = 0;
    for (let index = 0; index < count; index++) {
      const delta = values[index]! - mean;
      m2 += delta * delta;
    }
    this.#mean = mean;
    this.#m2 = m2;
  }
}
