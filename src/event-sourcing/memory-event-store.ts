import { type Clock, rules, systemClock, validateConfig } from '../core/index.js';
import type { Event, EventInit, RecordedEvent } from './event.js';
import {
  type AppendOptions,
  type AppendResult,
  appendToActorStream,
  type EventStore,
  type ReadAllOptions,
  type ReadStreamOptions,
  type TimeRange,
} from './event-store.js';
import { EventWindow } from './event-window.js';
import { readAllOptions, readStreamOptions, requireId, timeRange } from './read-options.js';
import { type ReplayOptions, replayEvents } from './replay.js';
import { Sequencer } from './sequencer.js';

/** Options of {@link MemoryEventStore}. */
export interface MemoryEventStoreConfig {
  /** Paces `replayEvents`. @default systemClock */
  readonly clock?: Clock | undefined;
}

/**
 * An {@link EventStore} held in memory, for tests and for processes whose history may die
 * with them. Same semantics as the durable stores; needs no `start()`.
 *
 * @example
 * const store = new MemoryEventStore();
 * await store.appendToStream('order-1', [new Event({ eventType: 'placed', actorId: 'order-1', data: {} })]);
 */
export class MemoryEventStore implements EventStore {
  readonly #clock: Clock;
  readonly #sequencer = new Sequencer();
  readonly #window = new EventWindow(Number.POSITIVE_INFINITY);

  /** @throws TypeError when an option is unknown or malformed. */
  constructor(config: MemoryEventStoreConfig = {}) {
    validateConfig('MemoryEventStoreConfig', config, { clock: rules.clock });
    this.#clock = config.clock ?? systemClock;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  appendEvent(event: Event | EventInit): Promise<RecordedEvent> {
    return appendToActorStream(this, event);
  }

  async appendToStream(
    streamId: string,
    events: readonly (Event | EventInit)[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const recorded = this.#sequencer.assign(streamId, events, options.expectedVersion ?? 'any');
    for (const event of recorded) this.#window.add(event);
    return { nextExpectedVersion: this.#sequencer.version(streamId), events: recorded };
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    requireId('readStream: streamId', streamId);
    const { fromVersion, maxCount } = readStreamOptions(options);
    return this.#window.stream(streamId, fromVersion, maxCount) ?? [];
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    const { fromPosition, maxCount } = readAllOptions(options);
    return this.#window.fromPosition(fromPosition, maxCount);
  }

  async getEventsForActor(actorId: string, range?: TimeRange): Promise<RecordedEvent[]> {
    requireId('getEventsForActor: actorId', actorId);
    return this.#window.actor(actorId, timeRange(range));
  }

  async getEventsByCorrelation(correlationId: string): Promise<RecordedEvent[]> {
    requireId('getEventsByCorrelation: correlationId', correlationId);
    return this.#window.correlation(correlationId);
  }

  replayEvents(events: Iterable<Event> | AsyncIterable<Event>, options?: ReplayOptions): Promise<number> {
    return replayEvents(events, options, this.#clock);
  }
}
