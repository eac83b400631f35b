const FAILED = 1;
const SLOW = 2;

/** What a window holds, in a form `toJSON()` can carry. */
export type WindowSnapshot =
  | { readonly type: 'count'; readonly outcomes: readonly number[] }
  | { readonly type: 'time'; readonly originMs: number; readonly buckets: readonly (readonly number[])[] };

/**
 * A fixed-size record of recent call outcomes. Recording is O(1) and never allocates
 * after the first call; the window never grows.
 */
export interface SlidingWindow {
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  record(failed: boolean, slow: boolean, nowMs: number): void;
  /** Drops outcomes that have aged out; a no-op for a count window. */
  refresh(nowMs: number): void;
  reset(): void;
  snapshot(): WindowSnapshot;
  restore(snapshot: WindowSnapshot, nowMs: number): void;
}

/**
 * The last `size` calls, as a ring of two bits per call (failed, slow) packed in 32-bit words:
 * a window of 100 calls costs 8 small integers.
 */
export class CountWindow implements SlidingWindow {
  readonly #size: number;
  readonly #words: number;
  // Failure bits in words [0, #words), slow bits in [#words, 2 × #words); allocated on the first call.
  #bits: number[] | undefined;
  #next = 0;
  calls = 0;
  failures = 0;
  slowCalls = 0;

  constructor(size: number) {
    this.#size = size;
    this.#words = Math.ceil(size / 32);
  }

  record(failed: boolean, slow: boolean): void {
    const bits = (this.#bits ??= new Array<number>(this.#words * 2).fill(0));
    const index = this.#next;
    const word = index >>> 5;
    const mask = 1 << (index & 31);
    const slowWord = word + this.#words;
    if (this.calls === this.#size) {
      if ((bits[word]! & mask) !== 0) this.failures--;
      if ((bits[slowWord]! & mask) !== 0) this.slowCalls--;
    } else {
      this.calls++;
    }
    if (failed) {
      bits[word] = bits[word]! | mask;
      this.failures++;
    } else {
      bits[word] = bits[word]! & ~mask;
    }
    if (slow) {
      bits[slowWord] = bits[slowWord]! | mask;
      this.slowCalls++;
    } else {
      bits[slowWord] = bits[slowWord]! & ~mask;
    }
    this.#next = index + 1 === this.#size ? 0 : index + 1;
  }

  refresh(): void {}

  reset(): void {
    this.#bits = undefined;
    this.#next = 0;
    this.calls = this.failures = this.slowCalls = 0;
  }

  snapshot(): WindowSnapshot {
    const outcomes: number[] = [];
    const bits = this.#bits;
    if (bits !== undefined) {
      const start = this.calls === this.#size ? this.#next : 0;
      for (let i = 0; i < this.calls; i++) {
        const index = (start + i) % this.#size;
        const mask = 1 << (index & 31);
        const failed = (bits[index >>> 5]! & mask) !== 0 ? FAILED : 0;
        const slow = (bits[(index >>> 5) + this.#words]! & mask) !== 0 ? SLOW : 0;
        outcomes.push(failed | slow);
      }
    }
    return { type: 'count', outcomes };
  }

  restore(snapshot: WindowSnapshot): void {
    this.reset();
    if (snapshot.type !== 'count') return;
    for (const outcome of snapshot.outcomes) this.record((outcome & FAILED) !== 0, (outcome & SLOW) !== 0);
  }
}

const BUCKETS = 10;

/**
 * The calls of the last `sizeMs` milliseconds, in 10 buckets of `sizeMs / 10` ms aligned
 * to the first recorded call: an outcome leaves the window `sizeMs` after the start of its bucket.
 */
export class TimeWindow implements SlidingWindow {
  readonly #bucketMs: number;
  // Per bucket: [epoch, calls, failures, slowCalls], allocated on the first call.
  #buckets: number[] | undefined;
  #originMs = 0;
  #epoch = 0;
  calls = 0;
  failures = 0;
  slowCalls = 0;

  constructor(sizeMs: number) {
    this.#bucketMs = sizeMs / BUCKETS;
  }

  record(failed: boolean, slow: boolean, nowMs: number): void {
    if (this.#buckets === undefined) {
      this.#buckets = new Array<number>(BUCKETS * 4).fill(0);
      this.#originMs = nowMs;
    }
    this.refresh(nowMs);
    const base = (this.#epoch % BUCKETS) * 4;
    const buckets = this.#buckets;
    buckets[base] = this.#epoch;
    buckets[base + 1]!++;
    this.calls++;
    if (failed) {
      buckets[base + 2]!++;
      this.failures++;
    }
    if (slow) {
      buckets[base + 3]!++;
      this.slowCalls++;
    }
  }

  refresh(nowMs: number): void {
    const buckets = this.#buckets;
    if (buckets === undefined) return;
    const epoch = Math.floor((nowMs - this.#originMs) / this.#bucketMs);
    if (epoch <= this.#epoch) return;
    // Only buckets entered since the last call need clearing: at most BUCKETS of them.
    const last = Math.min(epoch, this.#epoch + BUCKETS);
    for (let next = this.#epoch + 1; next <= last; next++) {
      const base = (next % BUCKETS) * 4;
      this.calls -= buckets[base + 1]!;
      this.failures -= buckets[base + 2]!;
      this.slowCalls -= buckets[base + 3]!;
      buckets[base] = next;
      buckets[base + 1] = buckets[base + 2] = buckets[base + 3] = 0;
    }
    this.#epoch = epoch;
  }

  reset(): void {
    this.#buckets = undefined;
    this.#epoch = 0;
    this.calls = this.failures = this.slowCalls = 0;
  }

  snapshot(): WindowSnapshot {
    const list: number[][] = [];
    const buckets = this.#buckets;
    if (buckets !== undefined) {
      for (let base = 0; base < buckets.length; base += 4) {
        if (buckets[base + 1]! > 0) list.push(buckets.slice(base, base + 4));
      }
    }
    return { type: 'time', originMs: this.#originMs, buckets: list };
  }

  restore(snapshot: WindowSnapshot, nowMs: number): void {
    this.reset();
    if (snapshot.type !== 'time' || snapshot.buckets.length === 0) return;
    const buckets = new Array<number>(BUCKETS * 4).fill(0);
    this.#buckets = buckets;
    this.#originMs = snapshot.originMs;
    let newest = 0;
    for (const [epoch = 0, calls = 0, failures = 0, slowCalls = 0] of snapshot.buckets) {
      const base = (epoch % BUCKETS) * 4;
      buckets[base] = epoch;
      buckets[base + 1] = calls;
      buckets[base + 2] = failures;
      buckets[base + 3] = slowCalls;
      this.calls += calls;
      this.failures += failures;
      this.slowCalls += slowCalls;
      newest = Math.max(newest, epoch);
    }
    this.#epoch = newest;
    this.refresh(nowMs);
  }
}
