import { promisify } from 'node:util';
import { constants, deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { RecordedEvent } from '../event.js';
import { decodeBinaryPayload, encodeBinaryPayload } from './binary-payload.js';
import { FLAG_BINARY, FLAG_DEFLATE, type FrameHeader } from './frame.js';
import { decodeJsonPayload, encodeJsonPayload } from './json-payload.js';
import { textBytes } from './text-bytes.js';
import type { Tuple } from './tuple.js';

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
const KNOWN_FLAGS = FLAG_DEFLATE | FLAG_BINARY;

/**
 * Serialises (and, when asked and worth it, compresses) the events of one commit, in the
 * binary encoding when it can carry them; an uncompressed JSON payload stays a string,
 * written once into its frame.
 */
export async function encodePayload(
  events: readonly RecordedEvent[],
  compression: boolean,
): Promise<{ payload: Buffer | string; flags: number }> {
  const binary = encodeBinaryPayload(events);
  const encoded = binary ?? encodeJsonPayload(events);
  const flags = binary === undefined ? 0 : FLAG_BINARY;
  // A string's length in UTF-16 units is a lower bound of its UTF-8 size: no byte count for short texts.
  if (!compression || encoded.length < MIN_COMPRESSED_BYTES) return { payload: encoded, flags };
  const bytes = typeof encoded === 'string' ? textBytes(encoded) : encoded;
  const payload =
    bytes.length < ASYNC_COMPRESSION_BYTES
      ? deflateRawSync(bytes, zlibOptions)
      : await deflateAsync(bytes, zlibOptions);
  return { payload, flags: flags | FLAG_DEFLATE };
}

/**
 * Decodes a frame's payload into its tuples. The frame's checksums were verified, so a
 * failure here means the frame was written by an incompatible version; it is reported
 * like corruption.
 */
export function parsePayload(header: FrameHeader, payload: Buffer): Tuple[] {
  if (header.flags & ~KNOWN_FLAGS) throw new Error(`unknown frame flags ${header.flags}`);
  const bytes =
    header.flags & FLAG_DEFLATE
      ? inflateRawSync(payload, { chunkSize: inflateChunkSize(payload.length) })
      : payload;
  return header.flags & FLAG_BINARY
    ? decodeBinaryPayload(bytes, header.eventCount)
    : decodeJsonPayload(bytes, header.eventCount);
}

function inflateChunkSize(compressedLength: number): number {
  return Math.min(Math.max(compressedLength * INFLATE_RATIO, constants.Z_DEFAULT_CHUNK), MAX_INFLATE_CHUNK);
}
