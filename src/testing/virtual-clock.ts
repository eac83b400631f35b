import { setImmediate as realSetImmediate } from 'node:timers';
import type { Clock, TimerHandle } from '../core/index.js';

interface VirtualTimer {
  readonly id: number;
  readonly dueMs: number;
  readonly callback: () => void;
}

// Imported from node:timers so that test fake timers, which patch the globals, cannot stall it.
const settle = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));

/**
 * A clock that moves only when told to, for deterministic tests of time-based policies.
 *
 * @example
 * const clock = new VirtualClock();
 * const breaker = new CircuitBreaker('api', { clock, cooldownMs: 1000 });
 * await clock.advance(1000); // the breaker's cooldown has now elapsed
 */
export class VirtualClock implements Clock {
  #nowMs: number;
  #nextId = 1;
  #timers: VirtualTimer[] = [];
  #advancing = false;

  /** @param startMs - the initial value of `now()`. */
  constructor(startMs = 0) {
    if (typeof startMs !== 'number' || !Number.isFinite(startMs)) {
      throw new RangeError(`VirtualClock startMs must be a finite number, received ${String(startMs)}`);
    }
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  /** How many timers are scheduled and not yet run or cleared. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: VirtualTimer = { id: this.#nextId++, dueMs: this.#nowMs + delay, callback };
    // Kept sorted by due time, then by creation, so timers due together run in the order set.
    let index = this.#timers.length;
    while (index > 0 && this.#timers[index - 1]!.dueMs > timer.dueMs) index--;
    this.#timers.splice(index, 0, timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    const index = this.#timers.findIndex((timer) => timer.id === handle);
    if (index >= 0) this.#timers.splice(index, 1);
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due in order, with `now()`
   * at each timer's due time, and letting promise callbacks settle after each.
   */
  async advance(ms: number): Promise<void> {
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) {
      throw new RangeError(
        `VirtualClock.advance(ms): ms must be a finite number >= 0, received ${String(ms)}`,
      );
    }
    if (this.#advancing)
      throw new Error('VirtualClock.advance() is already running; await the previous call');
    this.#advancing = true;
    try {
      const targetMs = this.#nowMs + ms;
      await settle();
      for (let next = this.#timers[0]; next !== undefined && next.dueMs <= targetMs; next = this.#timers[0]) {
        this.#timers.shift();
        this.#nowMs = Math.max(this.#nowMs, next.dueMs);
        next.callback();
        await settle();
      }
      this.#nowMs = targetMs;
      await settle();
    } finally {
      this.#advancing = false;
    }
  }
}
