import { type Clock, systemClock, type TimerHandle } from '../core/index.js';

/**
 * A FIFO of deadlines that all lie the same `ms` after they were added. Since time only moves
 * forward, entries are in due order: adding and removing are O(1) and the earliest is the head.
 */
export class DeadlineLane {
  head: Deadline | undefined;
  tail: Deadline | undefined;
  /** Whether the scheduler looks at this lane when its timer fires. */
  watched = false;

  constructor(
    readonly scheduler: DeadlineScheduler,
    readonly ms: number,
  ) {}
}

/** Something that must happen at a deadline unless it is cancelled first. */
export abstract class Deadline {
  #lane: DeadlineLane | undefined;
  #dueMs = 0;
  #previous: Deadline | undefined;
  #next: Deadline | undefined;

  /** Runs when the deadline passes; the entry has already left its lane. */
  protected abstract expire(): void;

  /** Adds this entry to `lane`, due `lane.ms` after `nowMs`. */
  protected schedule(lane: DeadlineLane, nowMs: number): void {
    this.#lane = lane;
    this.#dueMs = nowMs + lane.ms;
    this.#previous = lane.tail;
    if (lane.tail === undefined) lane.head = this;
    else lane.tail.#next = this;
    lane.tail = this;
    lane.scheduler.added(lane, this.#dueMs, nowMs);
  }

  /** Removes this entry from its lane, if it is still in one. */
  protected cancel(): void {
    const lane = this.#lane;
    if (lane === undefined) return;
    this.#unlink(lane);
    lane.scheduler.removed();
  }

  #unlink(lane: DeadlineLane): void {
    if (this.#previous === undefined) lane.head = this.#next;
    else this.#previous.#next = this.#next;
    if (this.#next === undefined) lane.tail = this.#previous;
    else this.#next.#previous = this.#previous;
    this.#lane = this.#previous = this.#next = undefined;
  }

  /** The due time of the lane's earliest entry, or `Infinity` when it is empty. */
  static firstDue(lane: DeadlineLane): number {
    return lane.head === undefined ? Number.POSITIVE_INFINITY : lane.head.#dueMs;
  }

  /** Removes the lane's entries due at or before `nowMs` and appends them to `into`; returns how many. */
  static takeDue(lane: DeadlineLane, nowMs: number, into: Deadline[]): number {
    let count = 0;
    for (let entry = lane.head; entry !== undefined && entry.#dueMs <= nowMs; entry = lane.head) {
      entry.#unlink(lane);
      into.push(entry);
      count++;
    }
    return count;
  }

  /** Runs an expired entry's action. */
  static expire(entry: Deadline): void {
    entry.expire();
  }
}

/**
 * The deadlines of one clock, served by a single timer armed for the earliest of them, so a
 * call with a timeout costs a list insertion instead of a timer of its own.
 */
export class DeadlineScheduler {
  readonly #clock: Clock;
  // Lanes that have had entries since the timer last fired; an idle lane is dropped, so
  // lanes of discarded policies are not kept alive.
  readonly #lanes = new Set<DeadlineLane>();
  // On the system clock the timer is left armed when the last deadline is cancelled, unref'd:
  // it does nothing when it fires early, and re-arming it for every call would cost more than
  // the call. Other clocks (test clocks) see it cleared at once.
  readonly #keepArmed: boolean;
  #pending = 0;
  #timer: TimerHandle | undefined;
  #armedForMs = Number.POSITIVE_INFINITY;
  // Which global setTimeout armed the kept timer: test fake timers swap it, and a timer armed
  // by the other implementation may never fire.
  #armedWith: unknown;
  // Counts arms, so a timer that fires after it was replaced does nothing.
  #generation = 0;
  #releaseQueued = false;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#keepArmed = clock === systemClock;
  }

  added(lane: DeadlineLane, dueMs: number, nowMs: number): void {
    if (!lane.watched) {
      lane.watched = true;
      this.#lanes.add(lane);
    }
    if (++this.#pending === 1) keepAlive(this.#timer, true);
    if (dueMs < this.#armedForMs) this.#arm(dueMs, nowMs);
    else if (this.#keepArmed && this.#armedWith !== globalThis.setTimeout) this.#arm(this.#armedForMs, nowMs);
  }

  removed(): void {
    if (--this.#pending > 0) return;
    if (this.#keepArmed) {
      this.#releaseLater();
      return;
    }
    this.#disarm();
    for (const lane of this.#lanes) lane.watched = false;
    this.#lanes.clear();
  }

  // Calls awaited one after another would ref and unref the timer on every call, two native
  // calls each time: the timer is let go once the current turn of the event loop is over.
  #releaseLater(): void {
    if (this.#releaseQueued) return;
    this.#releaseQueued = true;
    setImmediate(this.#release);
  }

  readonly #release = (): void => {
    this.#releaseQueued = false;
    if (this.#pending === 0) keepAlive(this.#timer, false);
  };

  #arm(dueMs: number, nowMs: number): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#armedForMs = dueMs;
    this.#armedWith = globalThis.setTimeout;
    const generation = ++this.#generation;
    this.#timer = this.#clock.setTimeout(() => this.#fire(generation), Math.max(0, dueMs - nowMs));
    keepAlive(this.#timer, this.#pending > 0);
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedForMs = Number.POSITIVE_INFINITY;
  }

  #fire(generation: number): void {
    if (generation !== this.#generation) return;
    this.#timer = undefined;
    this.#armedForMs = Number.POSITIVE_INFINITY;
    const nowMs = this.#clock.now();
    const due: Deadline[] = [];
    let nextDueMs = Number.POSITIVE_INFINITY;
    for (const lane of this.#lanes) {
      this.#pending -= Deadline.takeDue(lane, nowMs, due);
      if (lane.head === undefined) {
        lane.watched = false;
        this.#lanes.delete(lane);
      } else nextDueMs = Math.min(nextDueMs, Deadline.firstDue(lane));
    }
    if (nextDueMs !== Number.POSITIVE_INFINITY) this.#arm(nextDueMs, nowMs);
    // Expired entries run last: their actions may start calls that add deadlines.
    for (const entry of due) Deadline.expire(entry);
  }
}

/**
 * While calls await a deadline the timer keeps the process alive, as the I/O those calls wait
 * for would; an idle timer never does. Applies to clocks whose handles can be ref'd (Node timers).
 */
function keepAlive(timer: TimerHandle | undefined, alive: boolean): void {
  const handle = timer as { ref?: () => void; unref?: () => void } | null | undefined;
  if (alive) handle?.ref?.();
  else handle?.unref?.();
}

const schedulers = new WeakMap<Clock, DeadlineScheduler>();

/** A new lane for deadlines `ms` away, served by the one scheduler of `clock`. */
export function deadlineLane(clock: Clock, ms: number): DeadlineLane {
  let scheduler = schedulers.get(clock);
  if (scheduler === undefined) schedulers.set(clock, (scheduler = new DeadlineScheduler(clock)));
  return new DeadlineLane(scheduler, ms);
}
