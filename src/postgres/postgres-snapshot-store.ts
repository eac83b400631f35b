import type { QueryResultRow } from 'pg';
import { type Clock, rules, systemClock, validateConfig } from '../core/index.js';
import { ActorStateSnapshot, type SnapshotStore } from '../event-sourcing/index.js';
import { requireId } from '../event-sourcing/read-options.js';
import { retentionCutoff } from '../event-sourcing/snapshots/snapshot-store.js';
import { Connection, connectionSchema, type PostgresConnectionConfig } from './connection.js';

/** Options of {@link PostgresSnapshotStore}. */
export interface PostgresSnapshotStoreConfig extends PostgresConnectionConfig {
  /** The time retention is measured from. @default systemClock */
  readonly clock?: Clock | undefined;
}

interface SnapshotRow {
  actor_id: string;
  actor_class: string;
  timestamp_ms: number;
  event_id: string;
  state_data: Buffer;
  state_hash: string;
  metadata: Record<string, unknown>;
}

/**
 * A {@link SnapshotStore} in PostgreSQL, beside `PostgresEventStore`. Content is checked
 * against its SHA-256 on every load.
 *
 * @example
 * const snapshots = new PostgresSnapshotStore({ pool });
 * await snapshots.start(); // creates the table
 */
export class PostgresSnapshotStore implements SnapshotStore {
  readonly #connection: Connection;
  readonly #clock: Clock;
  /** @throws TypeError or RangeError naming the option when the config is invalid. */
  constructor(config: PostgresSnapshotStoreConfig) {
    validateConfig('PostgresSnapshotStoreConfig', config, { ...connectionSchema, clock: rules.clock });
    this.#connection = new Connection(
      'PostgresSnapshotStoreConfig',
      'The Postgres snapshot store',
      config ?? {},
    );
    this.#clock = config?.clock ?? systemClock;
  }

  /** Creates the schema and the snapshots table when missing. */
  async start(): Promise<void> {
    await this.#connection.start([
      `CREATE TABLE IF NOT EXISTS ${this.#connection.schema}.snapshots (
        actor_id text NOT NULL,
        timestamp_ms double precision NOT NULL,
        event_id text NOT NULL,
        actor_class text NOT NULL,
        state_data bytea NOT NULL,
        state_hash text NOT NULL,
        metadata jsonb NOT NULL,
        PRIMARY KEY (actor_id, timestamp_ms, event_id))`,
    ]);
  }

  /** Ends the pool when the store created it; a pool given in the config is left open. */
  stop(): Promise<void> {
    return this.#connection.stop();
  }

  async saveSnapshot(snapshot: ActorStateSnapshot): Promise<void> {
    if (!(snapshot instanceof ActorStateSnapshot))
      throw new TypeError('saveSnapshot expects an ActorStateSnapshot');
    await this.#query(
      `INSERT INTO ${this.#connection.schema}.snapshots
         (actor_id, timestamp_ms, event_id, actor_class, state_data, state_hash, metadata)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (actor_id, timestamp_ms, event_id) DO UPDATE SET
         actor_class = EXCLUDED.actor_class, state_data = EXCLUDED.state_data,
         state_hash = EXCLUDED.state_hash, metadata = EXCLUDED.metadata`,
      [
        snapshot.actorId,
        snapshot.timestamp,
        snapshot.eventId,
        snapshot.actorClass,
        Buffer.from(snapshot.stateData),
        snapshot.stateHash,
        JSON.stringify(snapshot.metadata),
      ],
    );
  }

  async loadSnapshot(actorId: string, atTimestamp?: number): Promise<ActorStateSnapshot | null> {
    requireId('loadSnapshot: actorId', actorId);
    const { rows } = await this.#query<SnapshotRow>(
      `SELECT * FROM ${this.#connection.schema}.snapshots
       WHERE actor_id = $1 AND ($2::float8 IS NULL OR timestamp_ms <= $2)
       ORDER BY timestamp_ms DESC, event_id DESC LIMIT 1`,
      [actorId, atTimestamp ?? null],
    );
    const row = rows[0];
    if (row === undefined) return null;
    return new ActorStateSnapshot({
      actorId: row.actor_id,
      actorClass: row.actor_class,
      timestamp: row.timestamp_ms,
      eventId: row.event_id,
      stateData: row.state_data,
      stateHash: row.state_hash,
      metadata: row.metadata,
    }).assertIntact();
  }

  async deleteOldSnapshots(retentionDays = 7): Promise<number> {
    const cutoff = retentionCutoff(retentionDays, this.#clock.now());
    const result = await this.#query(
      `DELETE FROM ${this.#connection.schema}.snapshots WHERE timestamp_ms < $1`,
      [cutoff],
    );
    return result.rowCount ?? 0;
  }

  async #query<R extends object = Record<string, unknown>>(text: string, values: unknown[]) {
    this.#connection.assertStarted();
    return this.#connection.pool.query<R & QueryResultRow>(text, values);
  }
}
