import { type Clock, rules, systemClock, validateConfig } from '../core/index.js';
import { decodedEvent } from '../event-sourcing/event.js';
import { appendToActorStream } from '../event-sourcing/event-store.js';
import { checkExpectedVersion, validateAppend } from '../event-sourcing/expected-version.js';
import {
  type AppendOptions,
  type AppendResult,
  Event,
  type EventInit,
  type EventStore,
  ExpectedVersionConflictError,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type ReplayOptions,
  type TimeRange,
} from '../event-sourcing/index.js';
import { readAllOptions, readStreamOptions, requireId, timeRange } from '../event-sourcing/read-options.js';
import { replayEvents } from '../event-sourcing/replay.js';
import { Connection, connectionSchema, type PostgresConnectionConfig, transaction } from './connection.js';

/** Options of {@link PostgresEventStore}. */
export interface PostgresEventStoreConfig extends PostgresConnectionConfig {
  /** Paces `replayEvents`. @default systemClock */
  readonly clock?: Clock | undefined;
}

interface EventRow {
  global_position: string;
  stream_id: string;
  version: string;
  event_id: string;
  event_type: string;
  actor_id: string;
  timestamp_ms: number;
  data: Record<string, unknown>;
  correlation_id: string | null;
  causation_id: string | null;
}

const COLUMNS =
  'global_position, stream_id, version, event_id, event_type, actor_id, timestamp_ms, data, correlation_id, causation_id';

function toEvent(row: EventRow): RecordedEvent {
  return decodedEvent({
    globalPosition: Number(row.global_position),
    streamId: row.stream_id,
    version: Number(row.version),
    eventId: row.event_id,
    eventType: row.event_type,
    actorId: row.actor_id,
    timestamp: row.timestamp_ms,
    data: row.data,
    correlationId: row.correlation_id ?? undefined,
    causationId: row.causation_id ?? undefined,
  });
}

const limit = (maxCount: number): number | null => (maxCount === Number.POSITIVE_INFINITY ? null : maxCount);

/**
 * An {@link EventStore} in PostgreSQL, for many processes sharing one log. An append is one
 * transaction; the stream's row lock orders appends to a stream and a unique
 * `(stream_id, version)` backs it; `globalPosition` comes from a sequence. `readAll` only
 * returns events whose transaction is older than every transaction still in flight, so a
 * reader following `globalPosition` never skips an append that commits late.
 *
 * @example
 * const store = new PostgresEventStore({ connectionString: process.env.DATABASE_URL });
 * await store.start(); // creates the schema and tables
 * await store.appendToStream('order-1', [event], { expectedVersion: 'no_stream' });
 */
export class PostgresEventStore implements EventStore {
  readonly #connection: Connection;
  readonly #clock: Clock;
  /** @throws TypeError or RangeError naming the option when the config is invalid. */
  constructor(config: PostgresEventStoreConfig) {
    validateConfig('PostgresEventStoreConfig', config, { ...connectionSchema, clock: rules.clock });
    this.#connection = new Connection('PostgresEventStoreConfig', 'The Postgres event store', config ?? {});
    this.#clock = config?.clock ?? systemClock;
  }

  /** Creates the schema, the sequence, the tables and their indexes when missing. */
  async start(): Promise<void> {
    const s = this.#connection.schema;
    await this.#connection.start([
      `CREATE SEQUENCE IF NOT EXISTS ${s}.global_position AS bigint`,
      `CREATE TABLE IF NOT EXISTS ${s}.streams (stream_id text PRIMARY KEY, version bigint NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${s}.events (
        global_position bigint PRIMARY KEY,
        stream_id text NOT NULL,
        version bigint NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        actor_id text NOT NULL,
        timestamp_ms double precision NOT NULL,
        data jsonb NOT NULL,
        correlation_id text,
        causation_id text,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        CONSTRAINT events_stream_version UNIQUE (stream_id, version))`,
      `CREATE INDEX IF NOT EXISTS events_actor ON ${s}.events (actor_id, global_position)`,
      `CREATE INDEX IF NOT EXISTS events_correlation ON ${s}.events (correlation_id, global_position) WHERE correlation_id IS NOT NULL`,
    ]);
  }

  /** Ends the pool when the store created it; a pool given in the config is left open. */
  stop(): Promise<void> {
    return this.#connection.stop();
  }

  appendEvent(event: Event | EventInit): Promise<RecordedEvent> {
    return appendToActorStream(this, event);
  }

  async appendToStream(
    streamId: string,
    events: readonly (Event | EventInit)[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const expectedVersion = options.expectedVersion ?? 'any';
    validateAppend(streamId, events, expectedVersion);
    const given = events.map((event) => (event instanceof Event ? event : new Event(event)));
    this.#connection.assertStarted();
    const s = this.#connection.schema;
    try {
      return await transaction(this.#connection.pool, async (client) => {
        // Takes the stream's row lock (creating the row if needed) and reads its version in
        // one statement; appends to one stream queue here, before any sequence value is used.
        const locked = await client.query<{ version: string }>(
          `INSERT INTO ${s}.streams (stream_id, version) VALUES ($1, 0)
           ON CONFLICT (stream_id) DO UPDATE SET version = ${s}.streams.version RETURNING version`,
          [streamId],
        );
        const current = Number(locked.rows[0]!.version);
        checkExpectedVersion(streamId, expectedVersion, current);
        if (given.length === 0) return { nextExpectedVersion: current, events: [] };
        const inserted = await client.query<EventRow>(
          `WITH appended AS (
             INSERT INTO ${s}.events (${COLUMNS})
             SELECT nextval('${s.replaceAll("'", "''")}.global_position'), $1, $2::bigint + n, id, type, actor, ts, data, corr, caus
             FROM unnest($3::text[], $4::text[], $5::text[], $6::float8[], $7::jsonb[], $8::text[], $9::text[])
               WITH ORDINALITY AS t(id, type, actor, ts, data, corr, caus, n)
             RETURNING ${COLUMNS}
           ), bumped AS (
             UPDATE ${s}.streams SET version = $2::bigint + $10::bigint WHERE stream_id = $1
           )
           SELECT * FROM appended ORDER BY version`,
          [
            streamId,
            current,
            given.map((event) => event.eventId),
            given.map((event) => event.eventType),
            given.map((event) => event.actorId),
            given.map((event) => event.timestamp),
            given.map((event) => JSON.stringify(event.data)),
            given.map((event) => event.correlationId ?? null),
            given.map((event) => event.causationId ?? null),
            given.length,
          ],
        );
        return { nextExpectedVersion: current + given.length, events: inserted.rows.map(toEvent) };
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505' && typeof expectedVersion === 'number') {
        throw new ExpectedVersionConflictError(streamId, expectedVersion, await this.#version(streamId));
      }
      throw error;
    }
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    requireId('readStream: streamId', streamId);
    const { fromVersion, maxCount } = readStreamOptions(options);
    return this.#select('WHERE stream_id = $1 AND version >= $2 ORDER BY version LIMIT $3', [
      streamId,
      fromVersion,
      limit(maxCount),
    ]);
  }

  /**
   * Events from `fromPosition` in global order, up to (not including) the oldest
   * transaction still in flight: a later call returns what commits late, never skipping it.
   */
  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    const { fromPosition, maxCount } = readAllOptions(options);
    return this.#select(
      `WHERE global_position >= $1 AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY global_position LIMIT $2`,
      [fromPosition, limit(maxCount)],
    );
  }

  async getEventsForActor(actorId: string, range?: TimeRange): Promise<RecordedEvent[]> {
    requireId('getEventsForActor: actorId', actorId);
    const { startTime, endTime } = timeRange(range);
    return this.#select(
      `WHERE actor_id = $1 AND ($2::float8 IS NULL OR timestamp_ms >= $2) AND ($3::float8 IS NULL OR timestamp_ms < $3)
       ORDER BY global_position`,
      [actorId, startTime ?? null, endTime ?? null],
    );
  }

  async getEventsByCorrelation(correlationId: string): Promise<RecordedEvent[]> {
    requireId('getEventsByCorrelation: correlationId', correlationId);
    return this.#select('WHERE correlation_id = $1 ORDER BY global_position', [correlationId]);
  }

  replayEvents(events: Iterable<Event> | AsyncIterable<Event>, options?: ReplayOptions): Promise<number> {
    return replayEvents(events, options, this.#clock);
  }

  async #select(where: string, values: unknown[]): Promise<RecordedEvent[]> {
    this.#connection.assertStarted();
    const result = await this.#connection.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.#connection.schema}.events ${where}`,
      values,
    );
    return result.rows.map(toEvent);
  }

  async #version(streamId: string): Promise<number> {
    const result = await this.#connection.pool.query<{ version: string }>(
      `SELECT version FROM ${this.#connection.schema}.streams WHERE stream_id = $1`,
      [streamId],
    );
    return Number(result.rows[0]?.version ?? 0);
  }
}
