import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type Clock,
  type Disposable,
  EventEmitter,
  type Listener,
  rules,
  systemClock,
  validateConfig,
} from '../../core/index.js';
import { SnapshotIntegrityError } from '../errors.js';
import type { CorruptionReport } from '../file/file-event-store.js';
import { syncDirectory } from '../file/segments.js';
import { requireId } from '../read-options.js';
import { ActorStateSnapshot, type ActorStateSnapshotJSON, sha256 } from './actor-state-snapshot.js';
import { retentionCutoff, type SnapshotStore as SnapshotStoreContract } from './snapshot-store.js';

// The file also checksums the fields stateHash does not cover (timestamp, eventId, metadata).
function fileChecksum(snapshot: ActorStateSnapshot): string {
  return sha256(Buffer.from(JSON.stringify(snapshot.toJSON())));
}

function envelope(snapshot: ActorStateSnapshot): string {
  return JSON.stringify({ ...snapshot.toJSON(), checksum: fileChecksum(snapshot) });
}

/** Options of {@link FileSnapshotStore}. */
export interface FileSnapshotStoreConfig {
  /** The folder holding one sub-folder of snapshot files per actor. @default './snapshots' */
  readonly storagePath?: string | undefined;
  /** Receives every unreadable or altered snapshot file; same as calling `onCorruption(listener)`. */
  readonly onCorruption?: Listener<CorruptionReport> | undefined;
  /** The time retention is measured from. @default systemClock */
  readonly clock?: Clock | undefined;
}

const schema = { storagePath: rules.string, onCorruption: rules.function, clock: rules.clock };
const SNAPSHOT_FILE = /^(\d{20})-[0-9a-f]{16}\.snapshot\.json$/;

// File names sort by time: microseconds since the epoch, zero-padded.
function timeKey(timestamp: number): number {
  return Math.max(0, Math.round(timestamp * 1000));
}

// Actor ids become folder names that cannot escape the store or clash with `.` and `..`.
function folderName(actorId: string): string {
  return encodeURIComponent(actorId).replaceAll('.', '%2E').replaceAll('*', '%2A');
}

/**
 * The file-backed {@link SnapshotStore}: one JSON file per snapshot, written to a temporary
 * file, synced and renamed into place, so a crash leaves the old snapshot or the new one,
 * never half of one. Content is checked against its SHA-256 on every load.
 *
 * @example
 * const snapshots = new FileSnapshotStore({ storagePath: './data/snapshots' });
 * await snapshots.saveSnapshot(ActorStateSnapshot.createFromActor(actor, lastEventId));
 */
export class FileSnapshotStore implements SnapshotStoreContract {
  readonly #storagePath: string;
  readonly #clock: Clock;
  readonly #corruption = new EventEmitter<CorruptionReport>();

  /** @throws TypeError or RangeError naming the option when the config is invalid. */
  constructor(config: FileSnapshotStoreConfig = {}) {
    validateConfig('FileSnapshotStoreConfig', config, schema);
    this.#storagePath = resolve(config.storagePath ?? './snapshots');
    this.#clock = config.clock ?? systemClock;
    if (config.onCorruption !== undefined) this.#corruption.subscribe(config.onCorruption);
  }

  /** The absolute path of the store's folder. */
  get storagePath(): string {
    return this.#storagePath;
  }

  /** Calls `listener` for every snapshot file found unreadable or altered; also a process warning. */
  onCorruption(listener: Listener<CorruptionReport>): Disposable {
    return this.#corruption.subscribe(listener);
  }

  /** Creates the folder. Other methods create what they need too, so calling it is optional. */
  async start(): Promise<void> {
    await mkdir(this.#storagePath, { recursive: true });
  }

  async stop(): Promise<void> {}

  async saveSnapshot(snapshot: ActorStateSnapshot): Promise<void> {
    if (!(snapshot instanceof ActorStateSnapshot))
      throw new TypeError('saveSnapshot expects an ActorStateSnapshot');
    const folder = join(this.#storagePath, folderName(snapshot.actorId));
    await mkdir(folder, { recursive: true });
    const name = `${String(timeKey(snapshot.timestamp)).padStart(20, '0')}-${sha256(Buffer.from(snapshot.eventId)).slice(0, 16)}.snapshot.json`;
    const temporary = join(folder, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(envelope(snapshot));
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temporary, join(folder, name));
    await syncDirectory(folder);
  }

  async loadSnapshot(actorId: string, atTimestamp?: number): Promise<ActorStateSnapshot | null> {
    requireId('loadSnapshot: actorId', actorId);
    const folder = join(this.#storagePath, folderName(actorId));
    const limit = atTimestamp === undefined ? Number.POSITIVE_INFINITY : timeKey(atTimestamp);
    const candidates = (await this.#files(folder)).filter((file) => file.key <= limit).reverse();
    for (const { name } of candidates) {
      const snapshot = await this.#read(join(folder, name), actorId);
      // Names are rounded to the microsecond; the stored timestamp decides.
      if (atTimestamp === undefined || snapshot.timestamp <= atTimestamp) return snapshot.assertIntact();
    }
    return null;
  }

  async deleteOldSnapshots(retentionDays = 7): Promise<number> {
    const cutoff = timeKey(retentionCutoff(retentionDays, this.#clock.now()));
    let deleted = 0;
    let folders: string[];
    try {
      folders = await readdir(this.#storagePath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    for (const folder of folders) {
      const path = join(this.#storagePath, folder);
      for (const file of await this.#files(path)) {
        if (file.key >= cutoff) break;
        await unlink(join(path, file.name));
        deleted++;
      }
    }
    return deleted;
  }

  // The folder's snapshot files, oldest first.
  async #files(folder: string): Promise<{ name: string; key: number }[]> {
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw error;
    }
    return names
      .map((name) => ({ name, match: SNAPSHOT_FILE.exec(name) }))
      .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
      .map(({ name, match }) => ({ name, key: Number(match[1]) }))
      .sort((a, b) => a.key - b.key || (a.name < b.name ? -1 : 1));
  }

  // Returns the stored snapshot (whose state the caller verifies), or throws when the file
  // cannot be trusted at all.
  async #read(file: string, actorId: string): Promise<ActorStateSnapshot> {
    const text = await readFile(file, 'utf8');
    let snapshot: ActorStateSnapshot;
    let checksum: unknown;
    try {
      const { checksum: stored, ...fields } = JSON.parse(text) as ActorStateSnapshotJSON & {
        checksum?: unknown;
      };
      snapshot = ActorStateSnapshot.fromJSON(fields);
      checksum = stored;
      if (snapshot.actorId !== actorId) throw new Error(`it belongs to actor "${snapshot.actorId}"`);
    } catch (error) {
      return this.#refuse(file, actorId, `unreadable snapshot: ${(error as Error).message}`, error);
    }
    if (!snapshot.verify()) {
      this.#report(file, 'state does not match its SHA-256');
      return snapshot;
    }
    if (checksum !== fileChecksum(snapshot)) {
      return this.#refuse(
        file,
        actorId,
        'fields do not match the file checksum',
        undefined,
        snapshot.stateHash,
      );
    }
    return snapshot;
  }

  #refuse(file: string, actorId: string, reason: string, cause?: unknown, expectedHash = 'unknown'): never {
    this.#report(file, reason);
    throw new SnapshotIntegrityError(actorId, expectedHash, undefined, { cause: cause ?? new Error(reason) });
  }

  #report(file: string, reason: string): void {
    process.emitWarning(`Snapshot corruption in ${file}: ${reason}; it is not restored`, {
      type: 'BulwarkCorruptionWarning',
      code: 'SNAPSHOT_CORRUPTION',
    });
    this.#corruption.emit(Object.freeze({ file, offset: 0, reason }));
  }
}

/**
 * The file-backed snapshot store, by the name the reference design gives it: `new
 * SnapshotStore({ storagePath })` is a {@link FileSnapshotStore}.
 */
export const SnapshotStore: typeof FileSnapshotStore = FileSnapshotStore;

/** What every snapshot store does; see the `SnapshotStore` interface. */
export type SnapshotStore = SnapshotStoreContract;
