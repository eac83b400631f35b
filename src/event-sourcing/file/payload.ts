import { promisify } from 'node:util';
import { constants, deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import { decodedEvent, type RecordedEvent } from '../event.js';
import { FLAG_DEFLATE, type FrameHeader } from './frame.js';
import { textBytes } from './text-bytes.js';

/*
 * A frame's payload is one JSON array with a tuple per event:
 *   [streamId, version, eventId, eventType, actorId, timestamp, data, correlationId | null, causationId | null]
 * The global position is not stored per event: it is the frame's firstPosition + index.
 */
export type Tuple = [
  string,
  number,
  string,
  string,
  string,
  number,
  Record<string, unknown>,
  string | null,
  string | null,
];

// Below this size deflate saves a few bytes at best and costs a zlib call per commit.
const MIN_COMPRESSED_BYTES = 512;
// Larger payloads are compressed on the libuv thread pool, off the event loop; smaller ones
// compress faster than a round trip to the pool.
const ASYNC_COMPRESSION_BYTES = 64 * 1024;
const deflateAsync = promisify(deflateRaw);
const zlibOptions = { level: constants.Z_BEST_SPEED };
// Events deflate about 4 to 5 times: room for 8 lets zlib inflate a payload into one buffer
// instead of joining 16 KiB pieces, up to a bound on what one guess allocates.
const INFLATE_RATIO = 8;
const MAX_INFLATE_CHUNK = 4 * 1024 * 1024;

/**
 * Serialises (and, when asked and worth it, compresses) the events of one commit; an
 * uncompressed payload stays a string, written once into its frame.
 */
export async function encodePayload(
  events: readonly RecordedEvent[],
  compression: boolean,
): Promise<{ payload: Buffer | string; flags: number }> {
  const tuples = new Array<Tuple>(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    tuples[i] = [
      e.streamId,
      e.version,
      e.eventId,
      e.eventType,
      e.actorId,
      e.timestamp,
      e.data as Record<string, unknown>,
      e.correlationId ?? null,
      e.causationId ?? null,
    ];
  }
  const text = JSON.stringify(tuples);
  // Length in UTF-16 units, a lower bound of the UTF-8 size: no byte count for short texts.
  if (!compression || text.length < MIN_COMPRESSED_BYTES) return { payload: text, flags: 0 };
  const json = textBytes(text);
  const payload =
    json.length < ASYNC_COMPRESSION_BYTES
      ? deflateRawSync(json, zlibOptions)
      : await deflateAsync(json, zlibOptions);
  return { payload, flags: FLAG_DEFLATE };
}

/**
 * Parses a frame's payload into its tuples. The frame's checksums were verified, so a
 * failure here means the frame was written by an incompatible version; it is reported
 * like corruption.
 */
export function parsePayload(header: FrameHeader, payload: Buffer): Tuple[] {
  const bytes =
    header.flags & FLAG_DEFLATE
      ? inflateRawSync(payload, { chunkSize: inflateChunkSize(payload.length) })
      : payload;
  const tuples = JSON.parse(bytes.toString('utf8')) as Tuple[];
  if (!Array.isArray(tuples) || tuples.length !== header.eventCount) {
    throw new Error(
      `the frame declares ${header.eventCount} events but holds ${Array.isArray(tuples) ? tuples.length : 'none'}`,
    );
  }
  return tuples;
}

function inflateChunkSize(compressedLength: number): number {
  return Math.min(Math.max(compressedLength * INFLATE_RATIO, constants.Z_DEFAULT_CHUNK), MAX_INFLATE_CHUNK);
}

/** The events of parsed tuples `[from, to)`, the first tuple at `firstPosition`. */
export function tupleEvents(
  tuples: readonly Tuple[],
  firstPosition: number,
  from = 0,
  to = tuples.length,
): RecordedEvent[] {
  const events = new Array<RecordedEvent>(to - from);
  for (let i = from; i < to; i++) {
    const t = tuples[i]!;
    events[i - from] = decodedEvent({
      streamId: t[0],
      version: t[1],
      eventId: t[2],
      eventType: t[3],
      actorId: t[4],
      timestamp: t[5],
      data: t[6],
      correlationId: t[7] ?? undefined,
      causationId: t[8] ?? undefined,
      globalPosition: firstPosition + i,
    });
  }
  return events;
}
