/// <reference lib="es2024.string" />
import type { RecordedEvent } from '../event.js';
import { ByteReader, ByteWriter, MAX_VARINT_BYTES } from './byte-cursors.js';
import { parseJsonArray } from './json-payload.js';
import type { Tuple } from './tuple.js';

/*
 * The payload of a frame flagged FLAG_BINARY. JSON.parse of whole event tuples cost most of a
 * replay; here only each event's `data` is JSON, and the fields that repeat within a commit
 * (stream, type, actor, correlation and causation ids) are stored once per frame.
 *
 *   varint  text         bit 0: the strings section is ASCII, bit 1: the data section is ASCII
 *   varint  tableSize    distinct strings of the frame
 *   varint  stringsSize  bytes of the strings section
 *   varint  recordsSize  bytes of the records section
 *   tableSize × varint   length of each table string, in UTF-16 code units
 *   strings section      UTF-8: the table strings, then every event's eventId, concatenated
 *   records section      per event: varint streamId index, varint version, varint eventId length
 *                        (UTF-16 code units), varint eventType index, varint actorId index,
 *                        varint correlationId index + 1 and varint causationId index + 1
 *                        (0: none), float64 timestamp
 *   data section         UTF-8 JSON array of every event's data, to the end of the payload
 *
 * ASCII sections are decoded as Latin-1, a bulk copy, instead of UTF-8 character by character.
 */
const STRINGS_ASCII = 1;
const DATA_ASCII = 2;
// Five indexes and a length (each under 2^32, so 5 bytes at most), a version and a float64.
const MAX_RECORD_BYTES = 6 * 5 + MAX_VARINT_BYTES + 8;

// The strings of a frame, each stored once and referred to by its index.
class StringTable {
  readonly strings: string[] = [];
  readonly #indexes = new Map<string, number>();

  index(text: string): number {
    let index = this.#indexes.get(text);
    if (index === undefined) {
      index = this.strings.length;
      this.#indexes.set(text, index);
      this.strings.push(text);
    }
    return index;
  }
}

/**
 * The events of one commit in the binary encoding, or undefined when a string in them is not
 * well-formed UTF-16: UTF-8 cannot carry a lone surrogate, while the JSON encoding escapes it,
 * so such a commit (rare enough not to need a second string form here) is written as JSON.
 */
export function encodeBinaryPayload(events: readonly RecordedEvent[]): Buffer | undefined {
  const table = new StringTable();
  const records = new ByteWriter(events.length * MAX_RECORD_BYTES);
  const eventIds = new Array<string>(events.length);
  const data = new Array<unknown>(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (!e.eventId.isWellFormed()) return undefined;
    records.varint(table.index(e.streamId));
    records.varint(e.version);
    records.varint(e.eventId.length);
    records.varint(table.index(e.eventType));
    records.varint(table.index(e.actorId));
    records.varint(e.correlationId === undefined ? 0 : table.index(e.correlationId) + 1);
    records.varint(e.causationId === undefined ? 0 : table.index(e.causationId) + 1);
    records.f64(e.timestamp);
    eventIds[i] = e.eventId;
    data[i] = e.data;
  }
  const { strings } = table;
  for (const text of strings) if (!text.isWellFormed()) return undefined;
  const stringsText = strings.join('') + eventIds.join('');
  const dataText = JSON.stringify(data);
  const stringsSize = Buffer.byteLength(stringsText);
  const dataSize = Buffer.byteLength(dataText);
  const recordBytes = records.written();
  const payload = new ByteWriter(
    (4 + strings.length) * MAX_VARINT_BYTES + stringsSize + recordBytes.length + dataSize,
  );
  payload.varint(
    (stringsSize === stringsText.length ? STRINGS_ASCII : 0) |
      (dataSize === dataText.length ? DATA_ASCII : 0),
  );
  payload.varint(strings.length);
  payload.varint(stringsSize);
  payload.varint(recordBytes.length);
  for (const text of strings) payload.varint(text.length);
  payload.text(stringsText, stringsSize);
  payload.copy(recordBytes);
  payload.text(dataText, dataSize);
  return payload.written();
}

/** The tuples of a binary payload of `eventCount` events; throws when it is malformed. */
export function decodeBinaryPayload(bytes: Buffer, eventCount: number): Tuple[] {
  const header = new ByteReader(bytes);
  const text = header.varint();
  if (text & ~(STRINGS_ASCII | DATA_ASCII)) throw new Error(`unknown text kinds ${text}`);
  const tableSize = header.varint();
  // Each table string takes a byte of the payload at least: a garbled size allocates nothing.
  if (tableSize > bytes.length) throw new Error('the string table overruns the payload');
  const table = new Array<string>(tableSize);
  const stringsSize = header.varint();
  const recordsSize = header.varint();
  const lengths = new Array<number>(table.length);
  for (let i = 0; i < table.length; i++) lengths[i] = header.varint();
  const recordsStart = header.position + stringsSize;
  const dataStart = recordsStart + recordsSize;
  if (dataStart > bytes.length) throw new Error('the sections overrun the payload');
  const strings = bytes.toString(text & STRINGS_ASCII ? 'latin1' : 'utf8', header.position, recordsStart);
  let cursor = 0;
  for (let i = 0; i < table.length; i++) table[i] = strings.slice(cursor, (cursor += lengths[i]!));
  const data = parseJsonArray(
    bytes.toString(text & DATA_ASCII ? 'latin1' : 'utf8', dataStart),
    eventCount,
  ) as Record<string, unknown>[];
  const records = new ByteReader(bytes.subarray(recordsStart, dataStart));
  const tuples = new Array<Tuple>(eventCount);
  for (let i = 0; i < eventCount; i++) {
    const streamId = entry(table, records.varint());
    const version = records.varint();
    const eventId = strings.slice(cursor, (cursor += records.varint()));
    const eventType = entry(table, records.varint());
    const actorId = entry(table, records.varint());
    const correlationId = optionalEntry(table, records.varint());
    const causationId = optionalEntry(table, records.varint());
    const timestamp = records.f64();
    tuples[i] = [
      streamId,
      version,
      eventId,
      eventType,
      actorId,
      timestamp,
      data[i]!,
      correlationId,
      causationId,
    ];
  }
  if (!records.done || cursor !== strings.length) throw new Error('the sections disagree on their sizes');
  return tuples;
}

function entry(table: readonly string[], index: number): string {
  const text = table[index];
  if (text === undefined) throw new Error(`string ${index} is not in the frame's table of ${table.length}`);
  return text;
}

function optionalEntry(table: readonly string[], index: number): string | null {
  return index === 0 ? null : entry(table, index - 1);
}
