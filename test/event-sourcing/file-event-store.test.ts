import { appendFile, open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { scanFrames } from '../../src/event-sourcing/file/frame.js';
import {
  type CorruptionReport,
  EventStoreLockedError,
  FileEventStore,
  type FileEventStoreConfig,
  FsyncMode,
  isEventStoreLockedError,
  isEventStoreUnavailableError,
} from '../../src/event-sourcing/index.js';
import { change, describeEventStoreContract } from './event-store-contract.js';
import { tempDir } from './helpers.js';

const contractConfigs: [string, FileEventStoreConfig][] = [
  ['FileEventStore', {}],
  ['FileEventStore, 2 events in memory, small segments', { maxMemoryEvents: 2, segmentSizeBytes: 4096 }],
  [
    'FileEventStore, nothing in memory, no compression, fsync always',
    { maxMemoryEvents: 0, compression: false, fsync: 'always' },
  ],
];
for (const [name, config] of contractConfigs) {
  describeEventStoreContract(name, async ({ clock }) => {
    const dir = await tempDir();
    const store = new FileEventStore({ ...config, storagePath: dir.path, clock });
    await store.start();
    return {
      store,
      cleanup: async () => {
        await store.stop();
        await dir.remove();
      },
    };
  });
}

async function segmentFiles(path: string): Promise<string[]> {
  return (await readdir(path))
    .filter((name) => name.endsWith('.log'))
    .sort()
    .map((name) => join(path, name));
}

async function frameOffsets(file: string): Promise<number[]> {
  const offsets: number[] = [];
  for (const item of scanFrames(await readFile(file)))
    if (item.kind === 'frame') offsets.push(item.header.offset);
  return offsets;
}

describe('FileEventStore', () => {
  let dir: { path: string; remove: () => Promise<void> };
  const open_: FileEventStore[] = [];
  const make = (config: FileEventStoreConfig = {}): FileEventStore => {
    const store = new FileEventStore({ storagePath: dir.path, ...config });
    open_.push(store);
    return store;
  };

  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const store of open_.splice(0)) await store.stop();
    await dir.remove();
  });

  it('keeps events, versions and positions across a restart', async () => {
    const first = make();
    await first.start();
    await first.appendToStream('s', [change('a', { n: 1 }), change('a', { n: 2 })]);
    await first.stop();
    const second = make();
    await second.start();
    expect((await second.readStream('s')).map((event) => event.data.n)).toEqual([1, 2]);
    const next = await second.appendToStream('s', [change('a', { n: 3 })], { expectedVersion: 2 });
    expect(next.events[0]).toMatchObject({ version: 3, globalPosition: 3 });
  });

  it('answers queries about events older than maxMemoryEvents from disk', async () => {
    const store = make({ maxMemoryEvents: 3 });
    await store.start();
    for (let n = 0; n < 20; n++)
      await store.appendEvent(change(n % 2 ? 'odd' : 'even', { n }, { correlationId: `c${n % 3}` }));
    expect((await store.readStream('even')).map((event) => event.data.n)).toEqual([
      0, 2, 4, 6, 8, 10, 12, 14, 16, 18,
    ]);
    expect((await store.readStream('even', { fromVersion: 9 })).map((event) => event.data.n)).toEqual([
      16, 18,
    ]);
    expect(
      (await store.readStream('odd', { fromVersion: 2, maxCount: 2 })).map((event) => event.data.n),
    ).toEqual([3, 5]);
    expect((await store.getEventsByCorrelation('c0')).map((event) => event.data.n)).toEqual([
      0, 3, 6, 9, 12, 15, 18,
    ]);
    expect(
      (await store.readAll({ fromPosition: 5, maxCount: 4 })).map((event) => event.globalPosition),
    ).toEqual([5, 6, 7, 8]);
    expect((await store.readAll()).map((event) => event.globalPosition)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  describe('iterateAll', () => {
    const positions = async (events: AsyncIterable<{ globalPosition: number }>): Promise<number[]> => {
      const found: number[] = [];
      for await (const event of events) found.push(event.globalPosition);
      return found;
    };

    it('yields the whole log in order, older events from disk and recent ones from memory', async () => {
      const store = make({ maxMemoryEvents: 3, segmentSizeBytes: 4096, compression: false });
      await store.start();
      for (let n = 0; n < 40; n++) await store.appendEvent(change(`a${n % 3}`, { n, pad: 'x'.repeat(150) }));
      expect((await segmentFiles(dir.path)).length).toBeGreaterThan(1);
      const all = await positions(store.iterateAll());
      expect(all).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(all).toEqual((await store.readAll()).map((event) => event.globalPosition));
      expect(await positions(store.iterateAll({ fromPosition: 5, maxCount: 4 }))).toEqual([5, 6, 7, 8]);
      expect(await positions(store.iterateAll({ fromPosition: 39 }))).toEqual([39, 40]);
      expect(await positions(store.iterateAll({ fromPosition: 41 }))).toEqual([]);
      expect(await positions(store.iterateAll({ maxCount: 0 }))).toEqual([]);
      expect(await positions(store.iterateAll({ fromPosition: 2, maxCount: 38 }))).toEqual(
        Array.from({ length: 38 }, (_, i) => i + 2),
      );
    });

    it('includes events appended while it runs, even those that left memory meanwhile', async () => {
      const store = make({ maxMemoryEvents: 2 });
      await store.start();
      for (let n = 0; n < 10; n++) await store.appendEvent(change('a', { n }));
      const found: number[] = [];
      for await (const event of store.iterateAll()) {
        found.push(event.globalPosition);
        if (event.globalPosition === 2) {
          for (let n = 0; n < 5; n++) await store.appendEvent(change('a', { n }));
        }
      }
      expect(found).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    });

    it('feeds replayEvents straight from disk, and refuses to start on a stopped store', async () => {
      const store = make({ maxMemoryEvents: 0 });
      await store.start();
      await store.appendToStream('s', [change('a', { n: 1 }), change('a', { n: 2 })]);
      const seen: unknown[] = [];
      const count = await store.replayEvents(store.iterateAll(), {
        speed: Number.POSITIVE_INFINITY,
        callback: (event) => seen.push(event.data.n),
      });
      expect([count, seen]).toEqual([2, [1, 2]]);
      const limited = await store.replayEvents(store.iterateAll({ fromPosition: 2, maxCount: 5 }), {
        speed: Number.POSITIVE_INFINITY,
      });
      expect(limited).toBe(1);
      await store.stop();
      await expect(positions(store.iterateAll())).rejects.toSatisfy(isEventStoreUnavailableError);
    });
  });

  it('rolls to a new segment file once a segment reaches segmentSizeBytes', async () => {
    const store = make({ segmentSizeBytes: 4096, compression: false });
    await store.start();
    for (let n = 0; n < 60; n++) await store.appendEvent(change('a', { n, padding: 'x'.repeat(200) }));
    await store.stop();
    const files = await segmentFiles(dir.path);
    expect(files.length).toBeGreaterThan(2);
    const reopened = make({ maxMemoryEvents: 0 });
    await reopened.start();
    expect((await reopened.readStream('a')).map((event) => event.data.n)).toEqual(
      Array.from({ length: 60 }, (_, n) => n),
    );
  });

  it('compresses commits when asked, and the events read back the same', async () => {
    const sizes: number[] = [];
    for (const compression of [true, false]) {
      const sub = join(dir.path, String(compression));
      const store = make({ storagePath: sub, compression });
      await store.start();
      const batch = Array.from({ length: 200 }, (_, n) =>
        change('a', { n, text: 'the same words again and again' }),
      );
      await store.appendToStream('s', batch);
      expect((await store.readStream('s')).map((event) => event.data.n)).toEqual(batch.map((_, n) => n));
      await store.stop();
      sizes.push((await stat((await segmentFiles(sub))[0]!)).size);
    }
    expect(sizes[0]!).toBeLessThan(sizes[1]! / 3);
  });

  it('reads back from disk commits that deflate far more than events usually do', async () => {
    const store = make({ maxMemoryEvents: 0 });
    await store.start();
    const texts = ['a', 'b', 'c'].map((letter) => letter.repeat(200_000));
    await store.appendToStream(
      's',
      texts.map((text) => change('a', { text })),
    );
    const [file] = await segmentFiles(dir.path);
    expect((await stat(file!)).size).toBeLessThan(10_000);
    expect((await store.readStream('s')).map((event) => event.data.text)).toEqual(texts);
  });

  describe('group commit', () => {
    async function syncSpy(store: FileEventStore): Promise<string[]> {
      const log: string[] = [];
      const handle = await open(join(dir.path, 'probe'), 'w');
      const prototype = Object.getPrototypeOf(handle) as { datasync: () => Promise<void> };
      await handle.close();
      const original = prototype.datasync;
      vi.spyOn(prototype, 'datasync').mockImplementation(async function (this: unknown) {
        log.push('sync start');
        await original.call(this);
        log.push('sync done');
      });
      void store;
      return log;
    }

    it("with fsync 'batch' concurrent appends share one sync and each resolves after it", async () => {
      const store = make();
      await store.start();
      const log = await syncSpy(store);
      await Promise.all(
        Array.from({ length: 50 }, (_, n) => store.appendEvent(change(`a${n}`)).then(() => log.push('ack'))),
      );
      expect(log.filter((entry) => entry === 'sync done')).toHaveLength(1);
      expect(log.slice(0, 2)).toEqual(['sync start', 'sync done']);
      expect(log.slice(2)).toEqual(Array(50).fill('ack'));
      expect(await frameOffsets((await segmentFiles(dir.path))[0]!)).toHaveLength(1);
    });

    it("with fsync 'always' every append gets its own frame and sync", async () => {
      const store = make({ fsync: 'always' });
      await store.start();
      const log = await syncSpy(store);
      await Promise.all(Array.from({ length: 5 }, (_, n) => store.appendEvent(change(`a${n}`))));
      expect(log.filter((entry) => entry === 'sync done')).toHaveLength(5);
      expect(await frameOffsets((await segmentFiles(dir.path))[0]!)).toHaveLength(5);
    });

    it("with fsync 'never' appends resolve without a sync", async () => {
      const store = make({ fsync: 'never' });
      await store.start();
      const log = await syncSpy(store);
      await Promise.all(Array.from({ length: 5 }, (_, n) => store.appendEvent(change(`a${n}`))));
      expect(log).toEqual([]);
      expect(await store.readAll()).toHaveLength(5);
    });
  });

  describe('recovery and corruption', () => {
    async function threeCommits(): Promise<string> {
      const store = make({ compression: false });
      await store.start();
      for (const n of [1, 2, 3]) await store.appendToStream('s', [change('a', { n }), change('a', { n })]);
      await store.stop();
      return (await segmentFiles(dir.path))[0]!;
    }

    async function flipByte(file: string, offset: number): Promise<void> {
      const data = await readFile(file);
      data[offset] = data[offset]! ^ 0x10;
      await writeFile(file, data);
    }

    it('truncates an unfinished write at the end and says so, keeping every complete commit', async () => {
      const file = await threeCommits();
      const intact = (await stat(file)).size;
      const partial = (await readFile(file)).subarray(0, 50);
      await appendFile(file, partial);
      const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      const reports: CorruptionReport[] = [];
      const store = make({ onCorruption: (report) => reports.push(report) });
      await store.start();
      expect((await store.readStream('s')).map((event) => event.data.n)).toEqual([1, 1, 2, 2, 3, 3]);
      expect((await stat(file)).size).toBe(intact);
      expect(reports).toEqual([]);
      expect(String(warnings.mock.calls[0]![0])).toMatch(/unfinished write/);
      await store.appendEvent(change('a'));
      expect((await store.readAll()).map((event) => event.globalPosition)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });

    it('reports a flipped byte in the middle with file and offset, and never returns the damaged events', async () => {
      const file = await threeCommits();
      const offsets = await frameOffsets(file);
      await flipByte(file, offsets[1]! + 40);
      const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      const store = make();
      const reports: CorruptionReport[] = [];
      store.onCorruption((report) => reports.push(report));
      await store.start();
      expect(reports).toEqual([{ file, offset: offsets[1], reason: 'payload checksum mismatch' }]);
      expect(warnings).toHaveBeenCalledWith(
        expect.stringContaining(`byte ${offsets[1]}`),
        expect.objectContaining({ code: 'EVENT_STORE_CORRUPTION' }),
      );
      expect((await store.readStream('s')).map((event) => event.data.n)).toEqual([1, 1, 3, 3]);
      expect((await store.readAll()).map((event) => event.globalPosition)).toEqual([1, 2, 5, 6]);
      await store.stop();
      const fromDisk = make({ maxMemoryEvents: 0 });
      await fromDisk.start();
      const iterated: number[] = [];
      for await (const event of fromDisk.iterateAll()) iterated.push(event.globalPosition);
      expect(iterated).toEqual([1, 2, 5, 6]);
    });

    it('reports a damaged header, and a damaged last frame, rather than truncating them', async () => {
      const file = await threeCommits();
      const offsets = await frameOffsets(file);
      await flipByte(file, offsets[0]! + 5);
      await flipByte(file, offsets[2]! + 60);
      vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      const reports: CorruptionReport[] = [];
      const store = make({ onCorruption: (report) => reports.push(report), maxMemoryEvents: 0 });
      await store.start();
      expect(reports.map(({ offset, reason }) => [offset, reason])).toEqual([
        [offsets[0], 'header checksum mismatch'],
        [offsets[2], 'payload checksum mismatch'],
      ]);
      expect((await store.readStream('s')).map((event) => event.data.n)).toEqual([2, 2]);
    });

    it('refuses a second writer while the first holds the lock, and takes over a lock left by a dead process', async () => {
      const first = make();
      await first.start();
      const second = make();
      const error = await second.start().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EventStoreLockedError);
      expect(isEventStoreLockedError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'EVENT_STORE_LOCKED', pid: process.pid });
      await first.stop();
      await writeFile(join(dir.path, 'LOCK'), '2147483646\n');
      await second.start();
      expect(await readFile(join(dir.path, 'LOCK'), 'utf8')).toBe(`${process.pid}\n`);
    });

    it('refuses every call once a write failed, and recovers on a fresh start', async () => {
      const store = make();
      await store.start();
      await store.appendEvent(change('a', { n: 1 }));
      const handle = await open(join(dir.path, 'probe'), 'w');
      const prototype = Object.getPrototypeOf(handle) as { writev: () => Promise<unknown> };
      await handle.close();
      vi.spyOn(prototype, 'writev').mockRejectedValueOnce(
        Object.assign(new Error('disk full'), { code: 'ENOSPC' }),
      );
      const failed = await store.appendEvent(change('a', { n: 2 })).catch((caught: unknown) => caught);
      expect(isEventStoreUnavailableError(failed)).toBe(true);
      expect((failed as Error).cause).toMatchObject({ code: 'ENOSPC' });
      await expect(store.appendEvent(change('a', { n: 3 }))).rejects.toMatchObject({
        code: 'EVENT_STORE_UNAVAILABLE',
      });
      await expect(store.readStream('a')).rejects.toMatchObject({ code: 'EVENT_STORE_UNAVAILABLE' });
      await store.stop();
      const again = make();
      await again.start();
      expect((await again.readStream('a')).map((event) => event.data.n)).toEqual([1]);
    });
  });

  it('resolves concurrent start() calls once the store is open', async () => {
    const store = make();
    await Promise.all([store.start(), store.start()]);
    expect((await store.appendEvent(change('a'))).globalPosition).toBe(1);
  });

  it('refuses calls before start() and after stop()', async () => {
    const store = make();
    await expect(store.appendEvent(change('a'))).rejects.toMatchObject({ code: 'EVENT_STORE_UNAVAILABLE' });
    await store.start();
    await store.stop();
    await expect(store.readAll()).rejects.toThrow(/not started/);
  });

  it('validates its options, naming the field', () => {
    expect(() => new FileEventStore({ fsync: 'sometimes' as never })).toThrow(
      /FileEventStoreConfig.fsync must be one of "batch", "always", "never"/,
    );
    expect(() => new FileEventStore({ maxMemoryEvents: -1 })).toThrow(RangeError);
    expect(() => new FileEventStore({ storagePth: 'x' } as never)).toThrow(/did you mean "storagePath"/);
  });

  it("defaults to './event_store', 10000 events in memory, compression and fsync 'batch'", () => {
    expect(new FileEventStore().storagePath).toBe(join(process.cwd(), 'event_store'));
  });
});

describe('FsyncMode', () => {
  it('names the three durability modes, as a frozen object', () => {
    expect(FsyncMode).toEqual({ BATCH: 'batch', ALWAYS: 'always', NEVER: 'never' });
    expect(Object.isFrozen(FsyncMode)).toBe(true);
  });
});
