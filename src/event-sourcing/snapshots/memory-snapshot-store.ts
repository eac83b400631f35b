import { type Clock, rules, systemClock, validateConfig } from '../../core/index.js';
import { requireId } from '../read-options.js';
import { ActorStateSnapshot } from './actor-state-snapshot.js';
import { retentionCutoff, type SnapshotStore } from './snapshot-store.js';

/** Options of {@link MemorySnapshotStore}. */
export interface MemorySnapshotStoreConfig {
  /** The time retention is measured from. @default systemClock */
  readonly clock?: Clock | undefined;
}

/**
 * A {@link SnapshotStore} in memory, for tests. Content is verified on load like the durable stores.
 *
 * @example
 * const snapshots = new MemorySnapshotStore();
 */
export class MemorySnapshotStore implements SnapshotStore {
  readonly #clock: Clock;
  readonly #byActor = new Map<string, ActorStateSnapshot[]>();

  /** @throws TypeError when an option is unknown or malformed. */
  constructor(config: MemorySnapshotStoreConfig = {}) {
    validateConfig('MemorySnapshotStoreConfig', config, { clock: rules.clock });
    this.#clock = config.clock ?? systemClock;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async saveSnapshot(snapshot: ActorStateSnapshot): Promise<void> {
    if (!(snapshot instanceof ActorStateSnapshot))
      throw new TypeError('saveSnapshot expects an ActorStateSnapshot');
    const list = this.#byActor.get(snapshot.actorId) ?? [];
    // Stored as a copy: later changes to the caller's object cannot reach the store.
    list.push(ActorStateSnapshot.fromJSON(snapshot.toJSON()));
    list.sort((a, b) => a.timestamp - b.timestamp);
    this.#byActor.set(snapshot.actorId, list);
  }

  async loadSnapshot(actorId: string, atTimestamp?: number): Promise<ActorStateSnapshot | null> {
    requireId('loadSnapshot: actorId', actorId);
    const at = atTimestamp ?? Number.POSITIVE_INFINITY;
    const list = this.#byActor.get(actorId) ?? [];
    for (let index = list.length - 1; index >= 0; index--) {
      const snapshot = list[index]!;
      if (snapshot.timestamp <= at) {
        return snapshot.assertIntact();
      }
    }
    return null;
  }

  async deleteOldSnapshots(retentionDays = 7): Promise<number> {
    const cutoff = retentionCutoff(retentionDays, this.#clock.now());
    let deleted = 0;
    for (const [actorId, list] of this.#byActor) {
      const kept = list.filter((snapshot) => snapshot.timestamp >= cutoff);
      deleted += list.length - kept.length;
      if (kept.length === 0) this.#byActor.delete(actorId);
      else this.#byActor.set(actorId, kept);
    }
    return deleted;
  }
}
