import { createHash, randomUUID } from 'node:crypto';
import { SnapshotIntegrityError } from '../errors.js';

/** What a snapshot is taken from and restored to: an actor with an id and a JSON-serialisable `state`. */
export interface SnapshotSubject {
  readonly actorId: string;
  state: unknown;
}

/** The fields of an {@link ActorStateSnapshot}. */
export interface ActorStateSnapshotInit {
  readonly actorId: string;
  /** The name of the actor's class, checked by nothing but useful when reading a store. */
  readonly actorClass: string;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  /** The id of the last event the state includes; replay resumes after it. */
  readonly eventId: string;
  /** The state as UTF-8 JSON bytes (a string is taken as its UTF-8 encoding). */
  readonly stateData: Uint8Array | string;
  /** SHA-256 of `stateData`, hex. @default computed from `stateData` */
  readonly stateHash?: string | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
}

/** A snapshot as a plain JSON object; `stateData` is base64. */
export interface ActorStateSnapshotJSON {
  readonly actorId: string;
  readonly actorClass: string;
  readonly timestamp: number;
  readonly eventId: string;
  readonly stateData: string;
  readonly stateHash: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Options of {@link ActorStateSnapshot.createFromActor}. */
export interface CreateSnapshotOptions {
  /** @default Date.now() */
  readonly timestamp?: number | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
}

/** The SHA-256 of `data`, as lower-case hex. */
export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function requireString(field: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`ActorStateSnapshot.${field} must be a non-empty string, received ${String(value)}`);
  }
}

/**
 * An actor's state at one moment, as JSON bytes with their SHA-256. Restoring parses JSON
 * only — no code is ever evaluated — and refuses bytes that do not match the hash.
 *
 * @example
 * const snapshot = ActorStateSnapshot.createFromActor(counter, lastEvent.eventId);
 * await snapshots.saveSnapshot(snapshot);
 * (await snapshots.loadSnapshot(counter.actorId))?.restoreToActor(freshCounter);
 */
export class ActorStateSnapshot {
  readonly actorId: string;
  readonly actorClass: string;
  readonly timestamp: number;
  readonly eventId: string;
  /** The state as UTF-8 JSON bytes; `stateData.toString()` is the JSON text. */
  readonly stateData: Buffer;
  readonly stateHash: string;
  readonly metadata: Readonly<Record<string, unknown>>;

  /** @throws TypeError when a field is missing or malformed. */
  constructor(init: ActorStateSnapshotInit) {
    requireString('actorId', init.actorId);
    requireString('actorClass', init.actorClass);
    requireString('eventId', init.eventId);
    if (!Number.isFinite(init.timestamp)) {
      throw new TypeError(
        `ActorStateSnapshot.timestamp must be finite epoch milliseconds, received ${String(init.timestamp)}`,
      );
    }
    if (!(init.stateData instanceof Uint8Array))
      throw new TypeError('ActorStateSnapshot.stateData must be a Uint8Array');
    this.actorId = init.actorId;
    this.actorClass = init.actorClass;
    this.timestamp = init.timestamp;
    this.eventId = init.eventId;
    // A private copy, so a caller changing its buffer cannot change the snapshot.
    this.stateData = Buffer.from(init.stateData as Uint8Array);
    this.stateHash = init.stateHash ?? sha256(this.stateData);
    this.metadata = init.metadata ?? {};
  }

  /**
   * Captures `actor.state` (which must be JSON-serialisable) after the event `eventId`
   * (default: a fresh UUID, for a snapshot tied to no event).
   *
   * @throws TypeError when the state cannot be serialised as JSON.
   */
  static createFromActor(
    actor: SnapshotSubject,
    eventId: string = randomUUID(),
    options: CreateSnapshotOptions = {},
  ): ActorStateSnapshot {
    const json = JSON.stringify(actor.state);
    if (json === undefined)
      throw new TypeError(`The state of actor "${actor.actorId}" is not JSON-serialisable`);
    return new ActorStateSnapshot({
      actorId: actor.actorId,
      actorClass: (actor as object).constructor?.name || 'Object',
      timestamp: options.timestamp ?? Date.now(),
      eventId,
      stateData: Buffer.from(json, 'utf8'),
      metadata: options.metadata,
    });
  }

  /** Whether `stateData` still matches `stateHash`. */
  verify(): boolean {
    return sha256(this.stateData) === this.stateHash;
  }

  /**
   * Checks that `stateData` matches `stateHash`.
   *
   * @throws SnapshotIntegrityError when it does not.
   */
  assertIntact(): this {
    const actual = sha256(this.stateData);
    if (actual !== this.stateHash) throw new SnapshotIntegrityError(this.actorId, this.stateHash, actual);
    return this;
  }

  /**
   * The state, parsed from its verified JSON bytes.
   *
   * @throws SnapshotIntegrityError when the bytes do not match the hash.
   */
  readState<T = unknown>(): T {
    this.assertIntact();
    return JSON.parse(this.stateData.toString('utf8')) as T;
  }

  /**
   * Sets `actor.state` to the snapshot's state.
   *
   * @throws SnapshotIntegrityError when the bytes do not match the hash.
   */
  restoreToActor(actor: SnapshotSubject): void {
    actor.state = this.readState();
  }

  toJSON(): ActorStateSnapshotJSON {
    return {
      actorId: this.actorId,
      actorClass: this.actorClass,
      timestamp: this.timestamp,
      eventId: this.eventId,
      stateData: this.stateData.toString('base64'),
      stateHash: this.stateHash,
      metadata: this.metadata,
    };
  }

  /**
   * Rebuilds a snapshot from {@link toJSON} output or its text; the hash is kept as stored,
   * so a later {@link readState} detects altered content.
   *
   * @throws TypeError when the input is not a snapshot.
   */
  static fromJSON(json: string | ActorStateSnapshotJSON): ActorStateSnapshot {
    const value = (typeof json === 'string' ? JSON.parse(json) : json) as ActorStateSnapshotJSON;
    if (typeof value !== 'object' || value === null || typeof value.stateData !== 'string') {
      throw new TypeError('ActorStateSnapshot.fromJSON expects an object with base64 stateData');
    }
    requireString('stateHash', value.stateHash);
    return new ActorStateSnapshot({ ...value, stateData: Buffer.from(value.stateData, 'base64') });
  }
}
