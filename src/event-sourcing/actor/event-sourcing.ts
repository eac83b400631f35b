import { type Clock, systemClock } from '../../core/index.js';
import type { ActorSystem } from '../../supervision/index.js';
import { Event, type RecordedEvent } from '../event.js';
import type { EventStore } from '../event-store.js';
import { EventType } from '../event-type.js';
import { type ReplayOptions, replayEvents } from '../replay.js';
import { ActorStateSnapshot } from '../snapshots/actor-state-snapshot.js';
import type { SnapshotStore } from '../snapshots/snapshot-store.js';

/** Where an event-sourced actor keeps its history. */
export interface EventSourcedOptions {
  /** Receives every state change, in the stream named by the actor id. @default a MemoryEventStore of the actor's own */
  readonly eventStore: EventStore;
  /** Receives `takeSnapshot()`s and shortens recovery. @default none: recovery replays the whole stream */
  readonly snapshotStore?: SnapshotStore | undefined;
}

/** What a `STATE_CHANGED` event recorded by {@link EventSourced.recordStateChange} carries. */
export interface StateChange {
  readonly changeType: string;
  readonly oldValue: unknown;
  readonly newValue: unknown;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** Options of {@link EventSourced.replayHistory}. */
export interface ReplayHistoryOptions extends Pick<ReplayOptions, 'speed' | 'signal'> {
  /** Replays events from this time (inclusive); earlier ones are applied at once. */
  readonly startTime?: number | undefined;
  /** Stops before this time (exclusive). */
  readonly endTime?: number | undefined;
  /** Sees each replayed event after it was applied. */
  readonly callback?: ((event: Event) => unknown) | undefined;
}

/** The methods an event-sourced actor has, whether it extends `EventSourcedActor` or is `@eventSourced`. */
export interface EventSourced {
  /**
   * Appends a `STATE_CHANGED` event and, once it is stored, applies it to the state: memory
   * never runs ahead of the store.
   *
   * @throws ExpectedVersionConflictError when another writer appended to the actor's stream.
   */
  recordStateChange(
    changeType: string,
    oldValue: unknown,
    newValue: unknown,
    metadata?: Readonly<Record<string, unknown>>,
  ): Promise<RecordedEvent>;
  /** Saves a snapshot of the current state (and records `SNAPSHOT_TAKEN`). */
  takeSnapshot(): Promise<ActorStateSnapshot>;
  /**
   * Sets the state to what it was at `timestamp` (default: now): the newest snapshot at or
   * before it plus the events after the snapshot up to it. Resolves `false` when there is
   * no snapshot to start from.
   */
  restoreFromSnapshot(timestamp?: number): Promise<boolean>;
  /** Rebuilds the state from the initial state by replaying the actor's events at `speed`; resolves to how many were replayed. */
  replayHistory(options?: ReplayHistoryOptions): Promise<number>;
  /** Applies one stored event to the state; override for your own event types. */
  applyEvent(event: Event): void;
}

/** The actor an engine drives. */
export interface SourcedActor {
  readonly actorId: string;
  state: object;
  applyEvent(event: Event): void;
}

/** Applies a `STATE_CHANGED` event: `state[changeType] = newValue`. Other event types change nothing. */
export function applyStateChange(state: object, event: Event): object {
  if (event.eventType !== EventType.STATE_CHANGED) return state;
  const { changeType, newValue } = event.data as unknown as StateChange;
  return { ...state, [changeType]: newValue };
}

const snapshotVersion = (snapshot: ActorStateSnapshot): number => Number(snapshot.metadata.version ?? 0);
const live = new WeakMap<ActorSystem, Set<EventSourcingEngine>>();

/** The event-sourced actors running in `system`, for checkpoints. */
export function eventSourcedActorsOf(system: ActorSystem): readonly EventSourcingEngine[] {
  return [...(live.get(system) ?? [])];
}

/** One actor's history: its stream version, recovery, recording, snapshots and replay. */
export class EventSourcingEngine {
  readonly #actor: SourcedActor;
  readonly #options: EventSourcedOptions;
  #version = 0;
  #lastEventId: string | undefined;
  #initialState: string | undefined;
  #system: ActorSystem | undefined;
  #clock: Clock = systemClock;

  constructor(actor: SourcedActor, options: EventSourcedOptions) {
    this.#actor = actor;
    this.#options = options;
  }

  get actorId(): string {
    return this.#actor.actorId;
  }

  /** Brings the state up to date with the store: newest snapshot, then the events after it. */
  async recover(system: ActorSystem | undefined): Promise<void> {
    this.#initialState ??= JSON.stringify(this.#actor.state);
    const snapshot = await this.#options.snapshotStore?.loadSnapshot(this.actorId);
    if (snapshot) {
      snapshot.restoreToActor(this.#actor);
      this.#version = snapshotVersion(snapshot);
      this.#lastEventId = snapshot.eventId;
    }
    for (const event of await this.#options.eventStore.readStream(this.actorId, {
      fromVersion: this.#version + 1,
    })) {
      this.#apply(event);
    }
    if (system !== undefined) {
      this.#system = system;
      this.#clock = system.clock;
      let set = live.get(system);
      if (set === undefined) live.set(system, (set = new Set()));
      set.add(this);
    }
  }

  /** Forgets the actor for checkpoints once it stopped. */
  release(): void {
    if (this.#system !== undefined) live.get(this.#system)?.delete(this);
  }

  async record(data: StateChange, eventType: string = EventType.STATE_CHANGED): Promise<RecordedEvent> {
    const event = new Event({
      eventType,
      actorId: this.actorId,
      data: data as unknown as Record<string, unknown>,
      timestamp: this.#clock.now(),
    });
    const { events } = await this.#options.eventStore.appendToStream(this.actorId, [event], {
      expectedVersion: this.#version,
    });
    this.#apply(events[0]!);
    return events[0]!;
  }

  /** Saves a snapshot of the current state without recording it in the stream. */
  async captureSnapshot(): Promise<ActorStateSnapshot> {
    const store = this.#options.snapshotStore;
    if (store === undefined)
      throw new TypeError(`Actor "${this.actorId}" has no snapshotStore to save a snapshot to`);
    const snapshot = ActorStateSnapshot.createFromActor(this.#actor, this.#lastEventId ?? 'initial', {
      timestamp: this.#clock.now(),
      metadata: { version: this.#version },
    });
    await store.saveSnapshot(snapshot);
    return snapshot;
  }

  async takeSnapshot(): Promise<ActorStateSnapshot> {
    const snapshot = await this.captureSnapshot();
    const marker = new Event({
      eventType: EventType.SNAPSHOT_TAKEN,
      actorId: this.actorId,
      data: { version: snapshot.metadata.version, stateHash: snapshot.stateHash },
      timestamp: this.#clock.now(),
    });
    const { events } = await this.#options.eventStore.appendToStream(this.actorId, [marker], {
      expectedVersion: this.#version,
    });
    this.#apply(events[0]!);
    return snapshot;
  }

  async restoreFromSnapshot(timestamp?: number): Promise<boolean> {
    const snapshot = await this.#options.snapshotStore?.loadSnapshot(this.actorId, timestamp);
    if (!snapshot) return false;
    snapshot.restoreToActor(this.#actor);
    const after = await this.#options.eventStore.readStream(this.actorId, {
      fromVersion: snapshotVersion(snapshot) + 1,
    });
    for (const event of after) {
      if (timestamp !== undefined && event.timestamp > timestamp) break;
      this.#actor.applyEvent(event);
    }
    return true;
  }

  async replayHistory(options: ReplayHistoryOptions = {}): Promise<number> {
    const { startTime, endTime, speed, signal, callback } = options;
    const events = await this.#options.eventStore.readStream(this.actorId);
    this.#actor.state = JSON.parse(this.#initialState ?? JSON.stringify(this.#actor.state)) as object;
    const before = startTime === undefined ? [] : events.filter((event) => event.timestamp < startTime);
    for (const event of before) this.#actor.applyEvent(event);
    const range = events.filter(
      (event) =>
        (startTime === undefined || event.timestamp >= startTime) &&
        (endTime === undefined || event.timestamp < endTime),
    );
    return replayEvents(
      range,
      {
        speed,
        signal,
        callback: async (event) => {
          this.#actor.applyEvent(event);
          await callback?.(event);
        },
      },
      this.#clock,
    );
  }

  #apply(event: RecordedEvent): void {
    this.#actor.applyEvent(event);
    this.#version = event.version;
    this.#lastEventId = event.eventId;
  }
}
