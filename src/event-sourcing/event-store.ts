import { Event, type EventInit, type RecordedEvent } from './event.js';
import type { ExpectedVersion } from './expected-version.js';
import type { ReplayOptions } from './replay.js';

/** Options of {@link EventStore.appendToStream}. */
export interface AppendOptions {
  /** What the stream must look like for the append to happen. @default 'any' */
  readonly expectedVersion?: ExpectedVersion | undefined;
}

/** What an append did. */
export interface AppendResult {
  /** The stream's version after the append: pass it as the next `expectedVersion`. */
  readonly nextExpectedVersion: number;
  /** The appended events, with their versions and global positions. */
  readonly events: readonly RecordedEvent[];
}

/** Options of {@link EventStore.readStream}. */
export interface ReadStreamOptions {
  /** The first version returned (inclusive). @default 1 */
  readonly fromVersion?: number | undefined;
  /** At most this many events. @default Infinity */
  readonly maxCount?: number | undefined;
}

/** Options of {@link EventStore.readAll}. */
export interface ReadAllOptions {
  /** The first global position returned (inclusive). @default 1 */
  readonly fromPosition?: number | undefined;
  /** At most this many events. @default Infinity */
  readonly maxCount?: number | undefined;
}

/** A time range, in epoch milliseconds: `startTime` inclusive, `endTime` exclusive. */
export interface TimeRange {
  readonly startTime?: number | undefined;
  readonly endTime?: number | undefined;
}

/**
 * An append-only log of events, grouped in streams with optimistic concurrency, and
 * globally ordered by `globalPosition`. Implemented by `MemoryEventStore`,
 * `FileEventStore` and `PostgresEventStore` (in `bulwark/postgres`).
 */
export interface EventStore {
  /** Opens what the store needs (files, locks, tables). */
  start(): Promise<void>;
  /** Flushes pending appends and releases what the store holds. */
  stop(): Promise<void>;
  /** Appends one event to the stream named by its `actorId`, with no version check. */
  appendEvent(event: Event | EventInit): Promise<RecordedEvent>;
  /**
   * Appends events to a stream, all or none.
   *
   * @throws ExpectedVersionConflictError when `expectedVersion` does not hold.
   */
  appendToStream(
    streamId: string,
    events: readonly (Event | EventInit)[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /** A stream's events in version order; an empty array for a missing stream. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Every stream's events in `globalPosition` order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** The events whose `actorId` matches, in `globalPosition` order. */
  getEventsForActor(actorId: string, range?: TimeRange): Promise<RecordedEvent[]>;
  /** The events carrying `correlationId`, in `globalPosition` order. */
  getEventsByCorrelation(correlationId: string): Promise<RecordedEvent[]>;
  /**
   * Hands `events` to `callback` one by one, waiting between them as long as their
   * timestamps are apart divided by `speed`; resolves to the number replayed. `events` may
   * be an async iterable, such as `FileEventStore.iterateAll()`.
   */
  replayEvents(events: Iterable<Event> | AsyncIterable<Event>, options?: ReplayOptions): Promise<number>;
}

/** `appendEvent` for any store: appends one event to the stream named by its actor id. */
export async function appendToActorStream(
  store: Pick<EventStore, 'appendToStream'>,
  event: Event | EventInit,
): Promise<RecordedEvent> {
  const actorId = event instanceof Event ? event.actorId : event?.actorId;
  const { events } = await store.appendToStream(actorId, [event]);
  return events[0]!;
}
