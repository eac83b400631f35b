import { randomUUID } from 'node:crypto';
import { Actor, type ActorRef, ActorSystem } from '../../supervision/index.js';
import { Event, type RecordedEvent } from '../event.js';
import type { EventStore } from '../event-store.js';
import type { SnapshotStore } from '../snapshots/snapshot-store.js';
import { applyStateChange, eventSourcedActorsOf } from './event-sourcing.js';

/** Options of {@link ReplayController.replayScenario}. */
export interface ReplayScenarioOptions {
  /** How much faster than real time; `Infinity` replays without waiting. @default 1 */
  readonly speed?: number | undefined;
  /**
   * Replay in a new actor system of its own (`true`), or as temporary actors inside the
   * controller's system (`false`). Live actors are never touched either way.
   * @default true
   */
  readonly isolated?: boolean | undefined;
}

/** What a scenario replay did. */
export interface ScenarioReplay {
  readonly correlationId: string;
  readonly eventsReplayed: number;
  /** The actors the scenario touched, in order of first appearance. */
  readonly actorIds: readonly string[];
  /** Each actor's state after the scenario, rebuilt from its snapshot and events. */
  readonly states: Readonly<Record<string, unknown>>;
  readonly events: readonly RecordedEvent[];
}

/** A checkpoint: snapshots of every event-sourced actor running at one moment. */
export interface DebuggingCheckpoint {
  readonly checkpointId: string;
  readonly description: string;
  readonly timestamp: number;
  readonly snapshots: readonly {
    readonly actorId: string;
    readonly eventId: string;
    readonly stateHash: string;
  }[];
}

// Holds one actor's state during a replay, applying events through an ordinary mailbox.
class ScenarioActor extends Actor<object> {
  receive(type: string, payload: unknown): unknown {
    if (type === 'restore') this.state = payload as object;
    else if (type === 'apply') this.state = applyStateChange(this.state, payload as Event);
    return this.state;
  }
}

/**
 * Replays what happened to a request (every event carrying its correlation id) in
 * isolation, at a chosen speed, and takes debugging checkpoints of running event-sourced actors.
 *
 * @example
 * const replay = new ReplayController(system, eventStore, snapshotStore);
 * const checkpointId = await replay.createDebuggingCheckpoint('before deployment');
 * const { states } = await replay.replayScenario(correlationId, { speed: 10 });
 */
export class ReplayController {
  readonly #system: ActorSystem;
  readonly #eventStore: EventStore;
  readonly #snapshotStore: SnapshotStore | undefined;
  readonly #checkpoints = new Map<string, DebuggingCheckpoint>();

  constructor(system: ActorSystem, eventStore: EventStore, snapshotStore?: SnapshotStore) {
    if (!(system instanceof ActorSystem)) throw new TypeError('ReplayController needs an ActorSystem');
    if (typeof eventStore?.getEventsByCorrelation !== 'function')
      throw new TypeError('ReplayController needs an EventStore');
    this.#system = system;
    this.#eventStore = eventStore;
    this.#snapshotStore = snapshotStore;
  }

  /** The checkpoints taken so far, oldest first. */
  get checkpoints(): readonly DebuggingCheckpoint[] {
    return [...this.#checkpoints.values()];
  }

  /**
   * Rebuilds each involved actor's state as it was just before the scenario (snapshot plus
   * events), then replays the scenario's events through fresh actors at `speed`.
   */
  async replayScenario(correlationId: string, options: ReplayScenarioOptions = {}): Promise<ScenarioReplay> {
    const { speed = 1, isolated = true } = options;
    const events = await this.#eventStore.getEventsByCorrelation(correlationId);
    const firsts = new Map<string, RecordedEvent>();
    for (const event of events) if (!firsts.has(event.actorId)) firsts.set(event.actorId, event);
    const system = isolated ? new ActorSystem({ clock: this.#system.clock }) : this.#system;
    const prefix = isolated ? '' : `replay:${randomUUID()}:`;
    const refs = new Map<string, ActorRef>();
    try {
      for (const [actorId, first] of firsts) {
        const ref = await system.createActor(ScenarioActor, `${prefix}${actorId}`);
        refs.set(actorId, ref);
        await ref.ask('restore', await this.#stateBefore(first));
      }
      const eventsReplayed = await this.#eventStore.replayEvents(events, {
        speed,
        callback: (event) => refs.get(event.actorId)!.ask('apply', event),
      });
      const states: Record<string, unknown> = {};
      for (const [actorId, ref] of refs) states[actorId] = await ref.ask('state');
      return { correlationId, eventsReplayed, actorIds: [...firsts.keys()], states, events };
    } finally {
      if (isolated) await system.shutdown();
      else for (const ref of refs.values()) await system.stopActor(ref.actorId);
    }
  }

  /**
   * Saves a snapshot of every event-sourced actor running in the system, records a
   * checkpoint event, and resolves to the checkpoint's id.
   */
  async createDebuggingCheckpoint(description: string): Promise<string> {
    const snapshots = [];
    for (const engine of eventSourcedActorsOf(this.#system)) {
      const snapshot = await engine.captureSnapshot();
      snapshots.push({ actorId: snapshot.actorId, eventId: snapshot.eventId, stateHash: snapshot.stateHash });
    }
    const checkpoint: DebuggingCheckpoint = Object.freeze({
      checkpointId: randomUUID(),
      description,
      timestamp: this.#system.clock.now(),
      snapshots,
    });
    await this.#eventStore.appendEvent(
      new Event({
        eventType: 'debugging_checkpoint',
        actorId: 'replay-controller',
        data: { ...checkpoint },
        timestamp: checkpoint.timestamp,
      }),
    );
    this.#checkpoints.set(checkpoint.checkpointId, checkpoint);
    return checkpoint.checkpointId;
  }

  // The actor's state just before `first`: the newest snapshot older than it, plus the
  // stream's events between the two.
  async #stateBefore(first: RecordedEvent): Promise<object> {
    let state: object = {};
    let fromVersion = 1;
    const snapshot = await this.#snapshotStore?.loadSnapshot(first.actorId, first.timestamp);
    const version = Number(snapshot?.metadata.version ?? Number.NaN);
    if (snapshot && first.streamId === first.actorId && version < first.version) {
      state = snapshot.readState<object>();
      fromVersion = version + 1;
    }
    const before = await this.#eventStore.readStream(first.streamId, {
      fromVersion,
      maxCount: Math.max(0, first.version - fromVersion),
    });
    for (const event of before) if (event.actorId === first.actorId) state = applyStateChange(state, event);
    return state;
  }
}
