import type { RecordedEvent } from './event.js';
import type { TimeRange } from './event-store.js';

// A queue of events sharing one key; evictions always take the oldest, so a head index
// makes them O(1) and the array is compacted only now and then.
class Bucket {
  items: RecordedEvent[] = [];
  head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  shift(): void {
    this.head++;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  all(): RecordedEvent[] {
    return this.items.slice(this.head);
  }
}

class KeyIndex {
  readonly #buckets = new Map<string, Bucket>();

  add(key: string, event: RecordedEvent): void {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) this.#buckets.set(key, (bucket = new Bucket()));
    bucket.items.push(event);
  }

  evict(key: string): void {
    const bucket = this.#buckets.get(key);
    if (bucket === undefined) return;
    bucket.shift();
    if (bucket.size === 0) this.#buckets.delete(key);
  }

  get(key: string): Bucket | undefined {
    return this.#buckets.get(key);
  }
}

/**
 * The most recent events of a log, up to `capacity`, indexed by stream, actor and
 * correlation id. A store with an unbounded window answers every query from it; a store
 * with a bounded one answers from it what it holds and reads older events from storage.
 */
export class EventWindow {
  readonly #capacity: number;
  readonly #events = new Bucket();
  readonly #streams = new KeyIndex();
  readonly #actors = new KeyIndex();
  readonly #correlations = new KeyIndex();
  #nextPosition = 1;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The global position of the oldest event held (the next position when empty). */
  get firstPosition(): number {
    return this.#events.items[this.#events.head]?.globalPosition ?? this.#nextPosition;
  }

  /** Whether the window holds every event of the log since position 1. */
  get complete(): boolean {
    return this.firstPosition === 1;
  }

  add(event: RecordedEvent): void {
    this.#events.items.push(event);
    this.#nextPosition = event.globalPosition + 1;
    this.#streams.add(event.streamId, event);
    this.#actors.add(event.actorId, event);
    if (event.correlationId !== undefined) this.#correlations.add(event.correlationId, event);
    if (this.#events.size > this.#capacity) this.#evictOldest();
  }

  /** Starts an empty window after a log whose last position is `lastPosition`. */
  resetAfter(lastPosition: number): void {
    if (this.#events.size === 0) this.#nextPosition = lastPosition + 1;
  }

  #evictOldest(): void {
    const oldest = this.#events.items[this.#events.head]!;
    this.#events.items[this.#events.head] = undefined as unknown as RecordedEvent;
    this.#events.shift();
    this.#streams.evict(oldest.streamId);
    this.#actors.evict(oldest.actorId);
    if (oldest.correlationId !== undefined) this.#correlations.evict(oldest.correlationId);
  }

  /**
   * The stream's events from `fromVersion`, or `undefined` when some of them are no longer
   * held (the caller then reads storage).
   */
  stream(streamId: string, fromVersion: number, maxCount: number): RecordedEvent[] | undefined {
    const bucket = this.#streams.get(streamId);
    if (bucket === undefined) return this.complete ? [] : undefined;
    if (bucket.items[bucket.head]!.version > Math.max(fromVersion, 1) && !this.complete) return undefined;
    const start = lowerBound(bucket, fromVersion, (event) => event.version);
    return bucket.items.slice(start, maxCount === Number.POSITIVE_INFINITY ? undefined : start + maxCount);
  }

  /** The stream's events held, whatever their version. */
  streamHeld(streamId: string): RecordedEvent[] {
    return this.#streams.get(streamId)?.all() ?? [];
  }

  /** The actor's events held, within `range`. */
  actor(actorId: string, range: TimeRange): RecordedEvent[] {
    const bucket = this.#actors.get(actorId);
    if (bucket === undefined) return [];
    return filterByTime(bucket.all(), range);
  }

  /** The correlation's events held. */
  correlation(correlationId: string): RecordedEvent[] {
    return this.#correlations.get(correlationId)?.all() ?? [];
  }

  /** Events held from `fromPosition`, at most `maxCount`. */
  fromPosition(fromPosition: number, maxCount: number): RecordedEvent[] {
    const start = lowerBound(this.#events, fromPosition, (event) => event.globalPosition);
    return this.#events.items.slice(
      start,
      maxCount === Number.POSITIVE_INFINITY ? undefined : start + maxCount,
    );
  }
}

// The index of the first held event whose key is >= `target`; keys ascend (gaps are
// possible after corruption was skipped, so no arithmetic on positions).
function lowerBound(bucket: Bucket, target: number, key: (event: RecordedEvent) => number): number {
  let low = bucket.head;
  let high = bucket.items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (key(bucket.items[middle]!) < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Keeps the events with `startTime <= timestamp < endTime`. */
export function filterByTime(events: RecordedEvent[], { startTime, endTime }: TimeRange): RecordedEvent[] {
  if (startTime === undefined && endTime === undefined) return events;
  const from = startTime ?? Number.NEGATIVE_INFINITY;
  const to = endTime ?? Number.POSITIVE_INFINITY;
  return events.filter((event) => event.timestamp >= from && event.timestamp < to);
}
