import { type Clock, systemClock, type TimerHandle } from '../core/index.js';

/**
 * Something that must happen at a deadline unless it is cancelled first. Its lane links it
 * in through the `deadline…` fields, which belong to the lane: entries are plain classes, not
 * subclasses, as V8 builds instances of subclasses with declared fields at twice the cost.
 */
export interface DeadlineEntry {
  /** The lane holding the entry, or `undefined` when it is in none. */
  deadlineLane: DeadlineLane | undefined;
  /** When the entry started waiting, set before it is added: it is due its lane's `ms` later. */
  readonly startedAtMs: number;
  deadlinePrevious: DeadlineEntry | undefined;
  deadlineNext: DeadlineEntry | undefined;
  /** Runs when the deadline passes; the entry has already left its lane. */
  expire(): void;
}

/**
 * A FIFO of deadlines that all lie the same `ms` after they were added. Since time only moves
 * forward, entries are in due order: adding and removing are O(1) and the earliest is the head.
 */
export class DeadlineLane {
  head: DeadlineEntry | undefined;
  tail: DeadlineEntry | undefined;
  /** Whether the scheduler looks at this lane when its timer fires. */
  watched = false;

  constructor(
    readonly scheduler: DeadlineScheduler,
    readonly ms: number,
  ) {}

  /** Adds `entry`, due `ms` after it started waiting. */
  add(entry: DeadlineEntry): void {
    const tail = this.tail;
    entry.deadlineLane = this;
    entry.deadlinePrevious = tail;
    if (tail === undefined) this.head = entry;
    else tail.deadlineNext = entry;
    this.tail = entry;
    this.scheduler.added(this, entry.startedAtMs + this.ms, entry.startedAtMs);
  }

  /** Removes `entry`, which is in this lane. */
  cancel(entry: DeadlineEntry): void {
    this.#unlink(entry);
    this.scheduler.removed();
  }

  /** The due time of the earliest entry, or `Infinity` when the lane is empty. */
  firstDue(): number {
    return this.head === undefined ? Number.POSITIVE_INFINITY : this.head.startedAtMs + this.ms;
  }

  /** Removes the entries due at or before `nowMs` and appends them to `into`; returns how many. */
  takeDue(nowMs: number, into: DeadlineEntry[]): number {
    let count = 0;
    for (
      let entry = this.head;
      entry !== undefined && entry.startedAtMs + this.ms <= nowMs;
      entry = this.head
    ) {
      this.#unlink(entry);
      into.push(entry);
      count++;
    }
    return count;
  }

  #unlink(entry: DeadlineEntry): void {
    const { deadlinePrevious: previous, deadlineNext: next } = entry;
    if (previous === undefined) this.head = next;
    else previous.deadlineNext = next;
    if (next === undefined) this.tail = previous;
    else next.deadlinePrevious = previous;
    entry.deadlineLane = entry.deadlinePrevious = entry.deadlineNext = undefined;
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
  // Whether the timer keeps the process alive (see keepAlive).
  #alive = false;
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
    this.#pending++;
    // Most deadlines land behind the one the timer is armed for, on a lane already watched.
    if (
      lane.watched &&
      this.#alive &&
      dueMs >= this.#armedForMs &&
      this.#armedWith === globalThis.setTimeout
    ) {
      return;
    }
    this.#prepare(lane, dueMs, nowMs);
  }

  #prepare(lane: DeadlineLane, dueMs: number, nowMs: number): void {
    if (!lane.watched) {
      lane.watched = true;
      this.#lanes.add(lane);
    }
    if (!this.#alive) this.#keepAlive(true);
    if (dueMs < this.#armedForMs) this.#arm(dueMs, nowMs);
    else if (this.#keepArmed && this.#armedWith !== globalThis.setTimeout) this.#arm(this.#armedForMs, nowMs);
  }

  removed(): void {
    // Calls awaited one after another would ref and unref the timer on every call, two native
    // calls each time: on the system clock the timer is let go once the current turn of the
    // event loop is over.
    if (--this.#pending === 0 && !this.#releaseQueued) this.#idle();
  }

  #idle(): void {
    if (this.#keepArmed) {
      this.#releaseQueued = true;
      setImmediate(this.#release);
      return;
    }
    this.#disarm();
    for (const lane of this.#lanes) lane.watched = false;
    this.#lanes.clear();
  }

  readonly #release = (): void => {
    this.#releaseQueued = false;
    if (this.#pending === 0) this.#keepAlive(false);
  };

  #keepAlive(alive: boolean): void {
    keepAlive(this.#timer, alive);
    this.#alive = alive && this.#timer !== undefined;
  }

  #arm(dueMs: number, nowMs: number): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#armedForMs = dueMs;
    this.#armedWith = globalThis.setTimeout;
    const generation = ++this.#generation;
    this.#timer = this.#clock.setTimeout(() => this.#fire(generation), Math.max(0, dueMs - nowMs));
    this.#keepAlive(this.#pending > 0);
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#alive = false;
    this.#armedForMs = Number.POSITIVE_INFINITY;
  }

  #fire(generation: number): void {
    if (generation !== this.#generation) return;
    this.#timer = undefined;
    this.#alive = false;
    this.#armedForMs = Number.POSITIVE_INFINITY;
    const nowMs = this.#clock.now();
    const due: DeadlineEntry[] = [];
    let nextDueMs = Number.POSITIVE_INFINITY;
    for (const lane of this.#lanes) {
      this.#pending -= lane.takeDue(nowMs, due);
      if (lane.head === undefined) {
        lane.watched = false;
        this.#lanes.delete(lane);
      } else nextDueMs = Math.min(nextDueMs, lane.firstDue());
    }
    if (nextDueMs !== Number.POSITIVE_INFINITY) this.#arm(nextDueMs, nowMs);
    // Expired entries run last: their actions may start calls that add deadlines.
    for (const entry of due) entry.expire();
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
