import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Event, type RecordedEvent, recordEvent } from '../../src/event-sourcing/event.js';
import { decodeBinaryPayload, encodeBinaryPayload } from '../../src/event-sourcing/file/binary-payload.js';
import {
  encodeFrame,
  FLAG_BINARY,
  FLAG_DEFLATE,
  type ScanItem,
  scanFrames,
} from '../../src/event-sourcing/file/frame.js';
import { encodeJsonPayload } from '../../src/event-sourcing/file/json-payload.js';
import { encodePayload, parsePayload } from '../../src/event-sourcing/file/payload.js';
import { segmentName } from '../../src/event-sourcing/file/segments.js';
import { tupleEvents } from '../../src/event-sourcing/file/tuple.js';
import { type CorruptionReport, FileEventStore } from '../../src/event-sourcing/index.js';
import { tempDir } from './helpers.js';

// Any UTF-16 text: ASCII, accents, pairs, and lone surrogates, which only the JSON encoding carries.
const text = fc.oneof(
  fc.string({
    unit: fc.constantFrom('a', 'Z', '0', '-', '"', '\\', 'é', '☕', '😀', '\u0000', '\ud800', '\udfff'),
  }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('cart-1', 'état', 'x'.repeat(200)),
);
const id = text.filter((value) => value.length > 0);
const optionalId = fc.option(id, { nil: undefined });

const eventArbitrary = fc.record({
  streamId: text,
  version: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  eventId: id,
  eventType: id,
  actorId: id,
  timestamp: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Object.is(value, -0)),
  data: fc.dictionary(text, fc.jsonValue()),
  correlationId: optionalId,
  causationId: optionalId,
});

type EventFields = typeof eventArbitrary extends fc.Arbitrary<infer T> ? T : never;

function commit(fields: EventFields[], firstPosition: number): RecordedEvent[] {
  return fields.map(({ streamId, version, ...init }, index) =>
    recordEvent(new Event(init), streamId, version, firstPosition + index),
  );
}

// What the store reads back from a frame holding `events`.
async function roundTrip(events: RecordedEvent[], compression: boolean): Promise<RecordedEvent[]> {
  const { payload, flags } = await encodePayload(events, compression);
  const frame = encodeFrame(payload, events.length, flags, events[0]!.globalPosition);
  const { header, payload: read } = onlyFrame(frame);
  return tupleEvents(parsePayload(header, read), header.firstPosition);
}

function onlyFrame(frame: Buffer): Extract<ScanItem, { kind: 'frame' }> {
  const [item] = scanFrames(frame);
  if (item?.kind !== 'frame') throw new Error('expected an intact frame');
  return item;
}

// An event as the JSON encoding always returned it: its data through JSON.stringify and JSON.parse.
const expected = (event: RecordedEvent) => ({
  ...event.toJSON(),
  data: JSON.parse(JSON.stringify(event.data)) as unknown,
});

const sample = (count: number, firstPosition = 1): RecordedEvent[] =>
  Array.from({ length: count }, (_, n) =>
    recordEvent(
      new Event({
        eventType: 'state_changed',
        actorId: `actor-${n % 3}`,
        data: { n, text: 'the same words again and again' },
        correlationId: n % 2 ? 'request-1' : undefined,
      }),
      `actor-${n % 3}`,
      Math.floor(n / 3) + 1,
      firstPosition + n,
    ),
  );

describe('frame payloads', () => {
  it('read back every event exactly as it was appended, compressed or not', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArbitrary, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.boolean(),
        async (fields, firstPosition, compression) => {
          const events = commit(fields, firstPosition);
          const read = await roundTrip(events, compression);
          expect(read.map((event) => event.toJSON())).toEqual(events.map(expected));
          for (const event of read) expect(Object.isFrozen(event)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('are binary unless a string is not well-formed UTF-16, which JSON tuples carry instead', async () => {
    const events = sample(3);
    expect((await encodePayload(events, false)).flags).toBe(FLAG_BINARY);
    expect((await encodePayload(sample(100), true)).flags).toBe(FLAG_BINARY | FLAG_DEFLATE);
    for (const lone of ['\ud800', 'a\udc00b', '\ud83d']) {
      const odd = recordEvent(new Event({ eventType: 't', actorId: 'a', correlationId: lone }), 's', 1, 4);
      const withLone = [...events, odd];
      expect(encodeBinaryPayload(withLone)).toBeUndefined();
      expect((await encodePayload(withLone, false)).flags).toBe(0);
      expect((await roundTrip(withLone, false)).at(-1)!.correlationId).toBe(lone);
    }
  });

  it('refuse a binary payload cut short anywhere, although its checksums are valid', () => {
    const payload = encodeBinaryPayload(sample(5))!;
    for (let length = 0; length < payload.length; length++) {
      expect(() => decodeBinaryPayload(payload.subarray(0, length), 5)).toThrow();
    }
    expect(() => decodeBinaryPayload(payload, 4)).toThrow(/declares 4 events but holds 5/);
  });

  it('refuse a garbled binary payload whose sections do not fit together', () => {
    const payload = encodeBinaryPayload(sample(5))!;
    // Header: text kinds, table size, strings size, records size, then the table's lengths.
    const garbled = (offset: number, value: number): Buffer => {
      const copy = Buffer.from(payload);
      copy[offset] = value;
      return copy;
    };
    for (const [offset, value] of [
      [1, 0x7f],
      [1, 1],
      [1, 0],
      [2, payload[2]! - 1],
      [2, payload[2]! + 1],
      [3, payload[3]! + 1],
      [3, 0xff],
    ] as const) {
      expect(() => decodeBinaryPayload(garbled(offset, value), 5)).toThrow();
    }
    const { header } = onlyFrame(encodeFrame(payload, 5, FLAG_BINARY | 4, 1));
    expect(() => parsePayload(header, payload)).toThrow(/unknown frame flags 6/);
  });
});

describe('FileEventStore and frame encodings', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await dir.remove();
  });

  const writeSegment = (frames: Buffer[]): Promise<void> =>
    writeFile(join(dir.path, segmentName(1)), Buffer.concat(frames));

  it('reads frames of JSON tuples written before the binary encoding, and appends after them', async () => {
    const plain = sample(3);
    const compressed = sample(40, 4);
    await writeSegment([
      encodeFrame(encodeJsonPayload(plain), plain.length, 0, 1),
      encodeFrame(deflateRawSync(encodeJsonPayload(compressed)), compressed.length, FLAG_DEFLATE, 4),
    ]);
    const old = [...plain, ...compressed];
    for (const maxMemoryEvents of [0, 10_000]) {
      const store = new FileEventStore({ storagePath: dir.path, maxMemoryEvents });
      await store.start();
      expect((await store.readAll()).map((event) => event.toJSON())).toEqual(old.map(expected));
      await store.stop();
    }
    const store = new FileEventStore({ storagePath: dir.path, maxMemoryEvents: 0 });
    await store.start();
    await store.appendToStream('actor-0', [new Event({ eventType: 'next', actorId: 'actor-0' })], {
      expectedVersion: 14,
    });
    const read: RecordedEvent[] = [];
    for await (const event of store.iterateAll()) read.push(event);
    await store.stop();
    expect(read.slice(0, -1).map((event) => event.toJSON())).toEqual(old.map(expected));
    expect(read.at(-1)).toMatchObject({ eventType: 'next', version: 15, globalPosition: 44 });
  });

  it('reports a binary frame that does not decode as corruption, with its offset, and returns none of it', async () => {
    const [first, second, third] = [sample(2, 1), sample(2, 3), sample(2, 5)];
    const good = (events: RecordedEvent[]) =>
      encodeFrame(encodeBinaryPayload(events)!, events.length, FLAG_BINARY, events[0]!.globalPosition);
    const payload = encodeBinaryPayload(second!)!;
    const frames = [
      good(first!),
      encodeFrame(payload.subarray(0, payload.length - 3), 2, FLAG_BINARY, 3),
      good(third!),
    ];
    await writeSegment(frames);
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const reports: CorruptionReport[] = [];
    const store = new FileEventStore({
      storagePath: dir.path,
      maxMemoryEvents: 0,
      onCorruption: (report) => reports.push(report),
    });
    await store.start();
    expect((await store.readAll()).map((event) => event.globalPosition)).toEqual([1, 2, 5, 6]);
    await store.stop();
    expect(reports).toEqual([
      {
        file: join(dir.path, segmentName(1)),
        offset: frames[0]!.length,
        reason: expect.stringMatching(/^undecodable frame: /),
      },
    ]);
  });
});
