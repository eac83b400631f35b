import type { ActorStateSnapshot } from './actor-state-snapshot.js';

/**
 * Where snapshots are kept. Implemented by `SnapshotStore` / `FileSnapshotStore`,
 * `MemorySnapshotStore` and `PostgresSnapshotStore` (in `bulwark/postgres`).
 */
export interface SnapshotStore {
  /** Creates what the store needs (folders, tables); optional for stores that hold nothing. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
  saveSnapshot(snapshot: ActorStateSnapshot): Promise<void>;
  /**
   * The newest snapshot of the actor taken at or before `atTimestamp` (default: the newest of all), or `null`.
   *
   * @throws SnapshotIntegrityError when its content does not match its hash.
   */
  loadSnapshot(actorId: string, atTimestamp?: number): Promise<ActorStateSnapshot | null>;
  /** Deletes the snapshots taken more than `retentionDays` days ago (default 7); resolves to how many. */
  deleteOldSnapshots(retentionDays?: number): Promise<number>;
}

const DAY_MS = 86_400_000;

/** The oldest timestamp kept by a retention of `retentionDays` at `nowMs`. @throws RangeError */
export function retentionCutoff(retentionDays: number, nowMs: number): number {
  if (typeof retentionDays !== 'number' || !(retentionDays >= 0)) {
    throw new RangeError(
      `deleteOldSnapshots: retentionDays must be a number >= 0, received ${String(retentionDays)}`,
    );
  }
  return nowMs - retentionDays * DAY_MS;
}
