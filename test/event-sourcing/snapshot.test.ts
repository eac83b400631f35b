import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ActorStateSnapshot,
  type CorruptionReport,
  Event,
  FileSnapshotStore,
  MemoryEventStore,
  MemorySnapshotStore,
  SnapshotIntegrityError,
  SnapshotStore,
} from '../../src/event-sourcing/index.js';
import { tempDir } from './helpers.js';
import { describeSnapshotStoreContract, snapshotOf } from './snapshot-store-contract.js';

describeSnapshotStoreContract('MemorySnapshotStore', async (clock) => ({
  store: new MemorySnapshotStore({ clock }),
  cleanup: async () => {},
}));

describeSnapshotStoreContract('FileSnapshotStore', async (clock) => {
  const dir = await tempDir('bulwark-snap-');
  return {
    store: new FileSnapshotStore({ storagePath: join(dir.path, 'snaps'), clock }),
    cleanup: dir.remove,
  };
});

class Counter {
  state = { count: 0, log: [] as string[] };
  constructor(readonly actorId: string) {}
}

describe('ActorStateSnapshot', () => {
  it("captures an actor's state as JSON bytes with their SHA-256 and its class name", () => {
    const counter = new Counter('c-1');
    counter.state = { count: 2, log: ['a', 'b'] };
    const snapshot = ActorStateSnapshot.createFromActor(counter, 'evt-2', {
      timestamp: 50,
      metadata: { version: 2 },
    });
    expect(snapshot).toMatchObject({
      actorId: 'c-1',
      actorClass: 'Counter',
      timestamp: 50,
      eventId: 'evt-2',
      metadata: { version: 2 },
    });
    expect(Buffer.from(snapshot.stateData).toString()).toBe('{"count":2,"log":["a","b"]}');
    expect(snapshot.stateHash).toBe(createHash('sha256').update('{"count":2,"log":["a","b"]}').digest('hex'));
    expect(snapshot.verify()).toBe(true);
  });

  it('restores the state into a fresh actor, and refuses altered bytes', () => {
    const counter = new Counter('c-1');
    counter.state = { count: 5, log: [] };
    const snapshot = ActorStateSnapshot.createFromActor(counter, 'evt-5');
    const fresh = new Counter('c-1');
    snapshot.restoreToActor(fresh);
    expect(fresh.state).toEqual({ count: 5, log: [] });
    (snapshot.stateData as Uint8Array)[10] = 0x39;
    expect(() => snapshot.restoreToActor(new Counter('c-1'))).toThrow(SnapshotIntegrityError);
  });

  it('round-trips through JSON, keeping the stored hash', () => {
    const snapshot = snapshotOf('x', { deep: { list: [1, 2, 3] } }, 10);
    const copy = ActorStateSnapshot.fromJSON(JSON.stringify(snapshot));
    expect(copy.toJSON()).toEqual(snapshot.toJSON());
    expect(copy.readState()).toEqual({ deep: { list: [1, 2, 3] } });
  });

  it('rejects state that is not JSON-serialisable and malformed fields', () => {
    expect(() => ActorStateSnapshot.createFromActor({ actorId: 'x', state: undefined }, 'e')).toThrow(
      TypeError,
    );
    expect(() => ActorStateSnapshot.createFromActor({ actorId: 'x', state: { n: 1n } }, 'e')).toThrow(
      TypeError,
    );
    expect(() => snapshotOf('', {}, 1)).toThrow(/actorId/);
  });
});

describe('FileSnapshotStore', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('bulwark-snap-');
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await dir.remove();
  });

  it("is what SnapshotStore constructs, with './snapshots' by default", () => {
    expect(new SnapshotStore()).toBeInstanceOf(FileSnapshotStore);
    expect(new SnapshotStore().storagePath).toBe(join(process.cwd(), 'snapshots'));
    expect(() => new SnapshotStore({ path: 'x' } as never)).toThrow(
      /FileSnapshotStoreConfig has no option "path"/,
    );
  });

  it('detects an edited file, reports it and refuses it', async () => {
    const store = new FileSnapshotStore({ storagePath: dir.path });
    await store.saveSnapshot(snapshotOf('acct', { balance: 10 }, 1_000));
    const [folder] = await readdir(dir.path);
    const [file] = await readdir(join(dir.path, folder!));
    const path = join(dir.path, folder!, file!);
    const envelope = JSON.parse(await readFile(path, 'utf8'));
    envelope.stateData = Buffer.from('{"balance":99}').toString('base64');
    await writeFile(path, JSON.stringify(envelope));
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const reports: CorruptionReport[] = [];
    store.onCorruption((report) => reports.push(report));
    await expect(store.loadSnapshot('acct')).rejects.toMatchObject({ code: 'SNAPSHOT_INTEGRITY' });
    expect(reports).toEqual([{ file: path, offset: 0, reason: 'state does not match its SHA-256' }]);
    await writeFile(path, '{"actorId":"acct","stateDa');
    await expect(store.loadSnapshot('acct')).rejects.toMatchObject({
      code: 'SNAPSHOT_INTEGRITY',
      actualHash: undefined,
    });
  });

  it('never returns altered content: any flipped byte of the file is refused', async () => {
    const store = new FileSnapshotStore({ storagePath: dir.path });
    const saved = snapshotOf('acct', { balance: 10, tags: ['a'] }, 1_000, 'evt-9');
    await store.saveSnapshot(saved);
    const [folder] = await readdir(dir.path);
    const [file] = await readdir(join(dir.path, folder!));
    const path = join(dir.path, folder!, file!);
    const original = await readFile(path);
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: original.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (offset, mask) => {
          const damaged = Buffer.from(original);
          damaged[offset] = damaged[offset]! ^ mask;
          await writeFile(path, damaged);
          const loaded = await store.loadSnapshot('acct').catch((error: unknown) => error);
          if (loaded instanceof ActorStateSnapshot) expect(loaded.toJSON()).toEqual(saved.toJSON());
          else expect(loaded).toBeInstanceOf(SnapshotIntegrityError);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('writes through a temporary file, ignoring one left behind by a crash', async () => {
    const store = new FileSnapshotStore({ storagePath: dir.path });
    await store.saveSnapshot(snapshotOf('a', { n: 1 }, 1_000));
    const [folder] = await readdir(dir.path);
    await writeFile(
      join(dir.path, folder!, '.00000000000002000000-0000000000000000.snapshot.json.abc.tmp'),
      '{"half":',
    );
    expect((await store.loadSnapshot('a'))?.readState()).toEqual({ n: 1 });
    expect((await readdir(join(dir.path, folder!))).filter((name) => !name.startsWith('.'))).toHaveLength(1);
  });
});

describe('snapshot + replay', () => {
  type Op = { kind: 'add'; amount: number } | { kind: 'tag'; tag: string } | { kind: 'reset' };
  type State = { total: number; tags: string[] };
  const initial = (): State => ({ total: 0, tags: [] });
  const apply = (state: State, op: Op): State =>
    op.kind === 'add'
      ? { ...state, total: state.total + op.amount }
      : op.kind === 'tag'
        ? { ...state, tags: [...state.tags, op.tag] }
        : initial();
  const fold = (events: readonly Event[], from: State = initial()): State =>
    events.reduce((state, event) => apply(state, event.data as Op), from);

  const op = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), amount: fc.integer({ min: -1000, max: 1000 }) }),
    fc.record({ kind: fc.constant('tag' as const), tag: fc.string({ maxLength: 5 }) }),
    fc.record({ kind: fc.constant('reset' as const) }),
  );

  it('restoring the snapshot taken after event k and replaying the rest equals replaying everything', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), fc.nat(), async (ops, pick) => {
        const events = new MemoryEventStore();
        const snapshots = new MemorySnapshotStore();
        const { events: recorded } = await events.appendToStream(
          'acct',
          ops.map((data, index) => new Event({ eventType: 'op', actorId: 'acct', data, timestamp: index })),
        );
        const k = pick % recorded.length;
        const actor = { actorId: 'acct', state: fold(recorded.slice(0, k + 1)) as unknown };
        await snapshots.saveSnapshot(
          ActorStateSnapshot.createFromActor(actor, recorded[k]!.eventId, {
            timestamp: k,
            metadata: { version: k + 1 },
          }),
        );

        const restored = { actorId: 'acct', state: undefined as unknown };
        const snapshot = (await snapshots.loadSnapshot('acct'))!;
        snapshot.restoreToActor(restored);
        const rest = await events.readStream('acct', {
          fromVersion: (snapshot.metadata.version as number) + 1,
        });
        expect(fold(rest, restored.state as State)).toEqual(fold(await events.readStream('acct')));
      }),
      { numRuns: 100 },
    );
  });
});
