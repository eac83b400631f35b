import { BulwarkError, errorGuard } from '../core/index.js';
import type { ExpectedVersion } from './expected-version.js';

/**
 * An append named an `expectedVersion` that does not match the stream: another writer got
 * there first. Reload the stream and decide again.
 */
export class ExpectedVersionConflictError extends BulwarkError {
  readonly streamId: string;
  /** The version the append expected. */
  readonly expected: ExpectedVersion;
  /** The stream's version when the append was checked; `0` when the stream did not exist. */
  readonly actual: number;

  constructor(streamId: string, expected: ExpectedVersion, actual: number) {
    super(
      'EXPECTED_VERSION_CONFLICT',
      `Stream "${streamId}" is at version ${actual}, but the append expected ${String(expected)}`,
    );
    this.name = 'ExpectedVersionConflictError';
    this.streamId = streamId;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Whether `value` is an {@link ExpectedVersionConflictError}, from any copy of bulwark. */
export const isExpectedVersionConflictError =
  errorGuard<ExpectedVersionConflictError>('EXPECTED_VERSION_CONFLICT');

/** Another live process holds the store's lock file: two writers would corrupt the log. */
export class EventStoreLockedError extends BulwarkError {
  readonly storagePath: string;
  /** The process id written in the lock file. */
  readonly pid: number;

  constructor(storagePath: string, pid: number) {
    super(
      'EVENT_STORE_LOCKED',
      `The event store at "${storagePath}" is open for writing by process ${pid}; ` +
        'only one process may write to a file store (use PostgresEventStore to share a log)',
    );
    this.name = 'EventStoreLockedError';
    this.storagePath = storagePath;
    this.pid = pid;
  }
}

/** Whether `value` is an {@link EventStoreLockedError}, from any copy of bulwark. */
export const isEventStoreLockedError = errorGuard<EventStoreLockedError>('EVENT_STORE_LOCKED');

/**
 * The store cannot serve the call: it was not started, it was stopped, or an earlier write
 * failed (the store then refuses every call, so memory never runs ahead of the disk).
 */
export class EventStoreUnavailableError extends BulwarkError {
  constructor(message: string, options?: ErrorOptions) {
    super('EVENT_STORE_UNAVAILABLE', message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

/** Whether `value` is an {@link EventStoreUnavailableError}, from any copy of bulwark. */
export const isEventStoreUnavailableError = errorGuard<EventStoreUnavailableError>('EVENT_STORE_UNAVAILABLE');

/** A snapshot's content does not match its SHA-256 hash (or cannot be read): it is refused. */
export class SnapshotIntegrityError extends BulwarkError {
  readonly actorId: string;
  readonly expectedHash: string;
  /** The hash of the content found, or `undefined` when the content could not be read at all. */
  readonly actualHash: string | undefined;

  constructor(actorId: string, expectedHash: string, actualHash: string | undefined, options?: ErrorOptions) {
    super(
      'SNAPSHOT_INTEGRITY',
      actualHash === undefined
        ? `The snapshot of actor "${actorId}" is unreadable`
        : `The snapshot of actor "${actorId}" has hash ${actualHash}, expected ${expectedHash}`,
      options,
    );
    this.name = 'SnapshotIntegrityError';
    this.actorId = actorId;
    this.expectedHash = expectedHash;
    this.actualHash = actualHash;
  }
}

/** Whether `value` is a {@link SnapshotIntegrityError}, from any copy of bulwark. */
export const isSnapshotIntegrityError = errorGuard<SnapshotIntegrityError>('SNAPSHOT_INTEGRITY');
