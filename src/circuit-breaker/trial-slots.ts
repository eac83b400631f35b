/** What a call holds while it runs, when not a trial slot id (ids are > 0). */
export const NO_SLOT = 0;
/** The call was refused. */
export const REJECTED = -1;
/** The breaker is disabled: nothing about the call is counted. */
export const UNTRACKED = -2;
/** Releases the oldest slot: the manual API does not know which one it holds. */
export const OLDEST_SLOT = -3;

/**
 * The trial slots of a half-open breaker: at most `limit` held at once, and a slot held
 * longer than `maxWaitMs` is freed, so a trial call that never reports back cannot wedge it.
 */
export class TrialSlots {
  readonly #limit: number;
  readonly #maxWaitMs: number;
  // Slot id → when it was taken, oldest first.
  readonly #held = new Map<number, number>();
  #nextId = 1;

  constructor(limit: number, maxWaitMs: number) {
    this.#limit = limit;
    this.#maxWaitMs = maxWaitMs;
  }

  get size(): number {
    return this.#held.size;
  }

  /** Takes a slot at `now`; returns its id, or {@link REJECTED} when all are held. */
  take(now: number): number {
    for (const [id, takenAt] of this.#held) {
      if (now - takenAt <= this.#maxWaitMs) break;
      this.#held.delete(id);
    }
    if (this.#held.size >= this.#limit) return REJECTED;
    const id = this.#nextId++;
    this.#held.set(id, now);
    return id;
  }

  /** How long until a slot is free at the latest, however the running trials end. */
  retryAfterMs(now: number): number {
    if (this.#maxWaitMs === Number.POSITIVE_INFINITY) return this.#maxWaitMs;
    const oldest = this.#held.values().next().value ?? now;
    return oldest + this.#maxWaitMs + 1 - now;
  }

  release(slot: number): void {
    if (slot !== OLDEST_SLOT) {
      this.#held.delete(slot);
      return;
    }
    for (const id of this.#held.keys()) {
      this.#held.delete(id);
      return;
    }
  }

  clear(): void {
    this.#held.clear();
  }
}
