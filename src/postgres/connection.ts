import pg from 'pg';
import { rules } from '../core/index.js';

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
  schema: {
    expected: 'a Postgres identifier (letters, digits, _; not starting with a digit; at most 63 bytes)',
    type: 'type',
    test: (value: unknown) => typeof value === 'string' && /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(value),
  },
} as const;

/** The pool a store uses, and whether the store must end it. */
export interface Connection {
  readonly pool: pg.Pool;
  readonly owned: boolean;
  /** The quoted schema name, safe to put in SQL. */
  readonly schema: string;
}

/** @throws TypeError when neither or both of `connectionString` and `pool` are given. */
export function connect(subject: string, config: PostgresConnectionConfig): Connection {
  if ((config.connectionString === undefined) === (config.pool === undefined)) {
    throw new TypeError(`${subject} needs exactly one of connectionString and pool`);
  }
  const schema = pg.escapeIdentifier(config.schema ?? 'bulwark');
  if (config.pool !== undefined) return { pool: config.pool, owned: false, schema };
  return { pool: new pg.Pool({ connectionString: config.connectionString }), owned: true, schema };
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

/** Creates the schema and tables once, even when many processes start at the same moment. */
export async function createSchema(connection: Connection, statements: readonly string[]): Promise<void> {
  await transaction(connection.pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`bulwark:schema:${connection.schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${connection.schema}`);
    for (const statement of statements) await client.query(statement);
  });
}
