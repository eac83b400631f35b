import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Event, isExpectedVersionConflictError } from '../../src/event-sourcing/index.js';
import { PostgresEventStore, PostgresSnapshotStore } from '../../src/postgres/index.js';
import { change, describeEventStoreContract } from '../event-sourcing/event-store-contract.js';
import { describeSnapshotStoreContract } from '../event-sourcing/snapshot-store-contract.js';

const url = process.env.BULWARK_PG_URL;
const writerScript = fileURLToPath(new URL('./fixtures/pg-writer.ts', import.meta.url));
const runId = randomBytes(4).toString('hex');
let counter = 0;
const freshSchema = (): string => `bulwark_test_${runId}_${counter++}`;

describe('PostgresEventStore configuration', () => {
  it('needs exactly one of connectionString and pool, and a safe schema name', () => {
    expect(() => new PostgresEventStore({})).toThrow(/exactly one of connectionString and pool/);
    expect(
      () => new PostgresEventStore({ connectionString: 'postgres://x', schema: 'a; DROP TABLE x' }),
    ).toThrow(/PostgresEventStoreConfig.schema must be a Postgres identifier/);
    expect(
      () => new PostgresSnapshotStore({ connectionString: 'postgres://x', schma: 'x' } as never),
    ).toThrow(/did you mean "schema"/);
  });
});

describe.skipIf(!url)('PostgreSQL stores (set BULWARK_PG_URL to run them)', () => {
  const admin = new pg.Pool({ connectionString: url });
  const schemas: string[] = [];
  const schema = (): string => {
    const name = freshSchema();
    schemas.push(name);
    return name;
  };
  afterAll(async () => {
    for (const name of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    await admin.end();
  });

  describeEventStoreContract('PostgresEventStore', async ({ clock }) => {
    const store = new PostgresEventStore({ connectionString: url, schema: schema(), clock });
    await store.start();
    return { store, cleanup: () => store.stop() };
  });

  describeSnapshotStoreContract('PostgresSnapshotStore', async (clock) => {
    const store = new PostgresSnapshotStore({ pool: admin, schema: schema(), clock });
    return { store, cleanup: async () => {} };
  });

  describe('PostgresEventStore', () => {
    let store: PostgresEventStore;
    let name: string;
    beforeAll(async () => {
      name = schema();
      store = new PostgresEventStore({ pool: admin, schema: name });
      await store.start();
    });

    it('never lets a reader following globalPosition skip a transaction that commits late', async () => {
      const before = (await store.readAll()).length;
      const late = await admin.connect();
      try {
        await late.query('BEGIN');
        const { rows } = await late.query<{ position: string }>(
          `INSERT INTO ${name}.events (global_position, stream_id, version, event_id, event_type, actor_id, timestamp_ms, data)
           VALUES (nextval('${name}.global_position'), 'late', 1, 'late-1', 'x', 'late', 0, '{}') RETURNING global_position AS position`,
        );
        const latePosition = Number(rows[0]!.position);
        const early = await store.appendEvent(change('early'));
        expect(early.globalPosition).toBeGreaterThan(latePosition);
        const whileOpen = await store.readAll();
        expect(whileOpen).toHaveLength(before);
        await late.query('COMMIT');
        const after = (await store.readAll()).slice(before).map((event) => event.globalPosition);
        expect(after).toEqual([latePosition, early.globalPosition]);
      } finally {
        late.release();
      }
    });

    it('rolls a batch back whole when the database refuses an event in the middle', async () => {
      await store.appendToStream('atomic', [change('a')]);
      const bad = change('a', { text: 'nul \u0000 byte' });
      await expect(
        store.appendToStream('atomic', [change('a'), bad, change('a')], { expectedVersion: 1 }),
      ).rejects.toThrow();
      expect((await store.readStream('atomic')).map((event) => event.version)).toEqual([1]);
      expect(
        (await store.appendToStream('atomic', [change('a')], { expectedVersion: 1 })).nextExpectedVersion,
      ).toBe(2);
    });

    it('lets many stores (as many processes would) append at once without losing or reordering', async () => {
      const stores = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const other = new PostgresEventStore({ connectionString: url, schema: name });
          await other.start();
          return other;
        }),
      );
      try {
        const from = ((await store.readAll()).at(-1)?.globalPosition ?? 0) + 1;
        await Promise.all(
          stores.flatMap((other, writer) =>
            Array.from({ length: 25 }, async (_, n) => {
              for (let attempt = 0; ; attempt++) {
                const version = (await other.readStream(`shared-${n % 5}`)).length;
                try {
                  return await other.appendToStream(`shared-${n % 5}`, [change('w', { writer, n })], {
                    expectedVersion: version,
                  });
                } catch (error) {
                  if (!isExpectedVersionConflictError(error) || attempt > 200) throw error;
                }
              }
            }),
          ),
        );
        const appended = await store.readAll({ fromPosition: from });
        expect(appended).toHaveLength(100);
        const positions = appended.map((event) => event.globalPosition);
        expect(positions).toEqual(positions.map((_, index) => from + index));
        for (let stream = 0; stream < 5; stream++) {
          const versions = (await store.readStream(`shared-${stream}`)).map((event) => event.version);
          expect(versions).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
        }
      } finally {
        await Promise.all(stores.map((other) => other.stop()));
      }
    });

    it('takes appends from several processes at once, each stream gap-free and in order', {
      timeout: 60_000,
    }, async () => {
      const shared = schema();
      const writers = 3;
      const each = 30;
      const outputs = await Promise.all(
        Array.from(
          { length: writers },
          (_, writer) =>
            new Promise<string>((resolve, reject) => {
              const child = spawn(
                process.execPath,
                ['--import', 'tsx', writerScript, url!, shared, String(writer), String(each)],
                { stdio: ['ignore', 'pipe', 'inherit'] },
              );
              let output = '';
              child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
              child.on('error', reject);
              child.on('exit', (code) =>
                code === 0 ? resolve(output) : reject(new Error(`writer ${writer} exited with ${code}`)),
              );
            }),
        ),
      );
      expect(outputs).toEqual(Array(writers).fill('done\n'));
      const reader = new PostgresEventStore({ pool: admin, schema: shared });
      await reader.start();
      const all = await reader.readAll();
      expect(all).toHaveLength(writers * each);
      expect(all.map((event) => event.globalPosition)).toEqual(all.map((_, index) => index + 1));
      for (let writer = 0; writer < writers; writer++) {
        expect(all.filter((event) => event.data.writer === writer).map((event) => event.data.n)).toEqual(
          Array.from({ length: each }, (_, n) => n),
        );
      }
      for (const streamId of ['shared-0', 'shared-1', 'shared-2']) {
        const versions = (await reader.readStream(streamId)).map((event) => event.version);
        expect(versions).toEqual(versions.map((_, index) => index + 1));
      }
    });

    it('starts concurrently on a new schema, and leaves a pool it was given open', async () => {
      const fresh = schema();
      const stores = Array.from({ length: 3 }, () => new PostgresEventStore({ pool: admin, schema: fresh }));
      await Promise.all(stores.map((other) => other.start()));
      await stores[0]!.appendEvent(new Event({ eventType: 'x', actorId: 'y' }));
      await Promise.all(stores.map((other) => other.stop()));
      expect((await admin.query(`SELECT count(*)::int AS n FROM ${fresh}.events`)).rows[0].n).toBe(1);
    });
  });
});
