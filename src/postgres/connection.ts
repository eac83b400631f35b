import pg from 'pg';
import { rules } from '../core/index.js';
import { EventStoreUnavailableError } from '../event-sourcing/index.js';

/** How a Postgres store reaches the database: a connection string, or a pool the caller owns. */
export interface PostgresConnectionConfig {
  /** e.g. `postgres://user@host:5432/db`; the store creates a pool and ends it on `stop()`. */
  readonly connectionString?: string | undefined;
  /** A `pg.Pool` shared with the application; the store never ends it. */
  readonly pool?: pg.Pool | undefined;
  /** The schema holding the store's tables; created by `start()`. @default 'bulwark' */
  readonly schema?: string | undefined;
}

export const connectionSchema = {
  connectionString: rules.string,
  pool: rules.object('a pg.Pool'),
  schema: rules.matching(
    'a Postgres identifier (letters, digits, _; not starting with a digit; at most 63 bytes)',
    /^[A-Za-z_][A-Za-z0-9_]{0,62}$/,
  ),
} as const;

/** A store's way to the database: its pool, its schema, and whether the store is started. */
export class Connection {
  readonly pool: pg.Pool;
  // Whether the store created the pool, and so ends it on `stop()`.
  readonly #owned: boolean;
  /** The quoted schema name, safe to put in SQL. */
  readonly schema: string;
  // The store's name in errors, e.g. 'The Postgres event store'.
  readonly #store: string;
  #started = false;

  /** @throws TypeError when neither or both of `connectionString` and `pool` are given. */
  constructor(subject: string, store: string, config: PostgresConnectionConfig) {
    if ((config.connectionString === undefined) === (config.pool === undefined)) {
      throw new TypeError(`${subject} needs exactly one of connectionString and pool`);
    }
    this.schema = pg.escapeIdentifier(config.schema ?? 'bulwark');
    this.#owned = config.pool === undefined;
    this.pool = config.pool ?? new pg.Pool({ connectionString: config.connectionString });
    this.#store = store;
  }

  /**
   * Creates the schema and runs `statements` (each idempotent) once, even when many processes
   * start at the same moment; the store is started afterwards.
   */
  async start(statements: readonly string[]): Promise<void> {
    await transaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`bulwark:schema:${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      for (const statement of statements) await client.query(statement);
    });
    this.#started = true;
  }

  /** Ends the pool when the store created it; a pool given in the config is left open. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    if (this.#owned) await this.pool.end();
  }

  /** @throws EventStoreUnavailableError before `start()` or after `stop()`. */
  assertStarted(): void {
    if (!this.#started)
      throw new EventStoreUnavailableError(`${this.#store} is not started; call start() first`);
  }
}

/** Runs `body` in one transaction on one connection; rolls back when it throws. */
export async function transaction<T>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let result: T;
  try {
    await client.query('BEGIN');
    result = await body(client);
    await client.query('COMMIT');
  } catch (error) {
    try {
      await client.query('ROLLBACK');
      client.release();
    } catch (rollbackError) {
      // A connection that cannot roll back is broken: the pool must discard it, not reuse it.
      client.release(rollbackError as Error);
    }
    throw error;
  }
  client.release();
  return result;
}
