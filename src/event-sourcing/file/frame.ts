import { crc32c } from './crc32c.js';
import { writeText } from './text-bytes.js';

/*
 * A segment is a sequence of frames; one frame holds the events of one commit, so a
 * commit is on disk whole or not at all. Frame layout (little-endian):
 *
 *   0  magic          u32  0x31455742 ("BWE1")
 *   4  payloadLength  u32
 *   8  eventCount     u32
 *  12  flags          u8   bit 0: payload is raw-deflate compressed;
 *                          bit 1: payload is in the binary encoding, else JSON tuples
 *  13  reserved       3 bytes, zero
 *  16  firstPosition  u64  global position of the frame's first event
 *  24  payloadCrc     u32  CRC-32C of the payload
 *  28  headerCrc      u32  CRC-32C of bytes 0..27
 *  32  payload
 */
export const FRAME_MAGIC = 0x31455742;
export const HEADER_SIZE = 32;
export const FLAG_DEFLATE = 1;
export const FLAG_BINARY = 2;
const MAGIC_BYTES = [0x42, 0x57, 0x45, 0x31];

/** A frame's header fields. */
export interface FrameHeader {
  readonly offset: number;
  readonly payloadLength: number;
  readonly eventCount: number;
  readonly flags: number;
  readonly firstPosition: number;
}

/**
 * Builds one frame around an (already compressed, if so flagged) payload; a string payload
 * is written as UTF-8 straight into the frame.
 */
export function encodeFrame(
  payload: Uint8Array | string,
  eventCount: number,
  flags: number,
  firstPosition: number,
): Buffer {
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const frame = Buffer.allocUnsafe(HEADER_SIZE + length);
  if (typeof payload === 'string') writeText(frame, payload, HEADER_SIZE, length);
  else frame.set(payload, HEADER_SIZE);
  frame.writeUInt32LE(FRAME_MAGIC, 0);
  frame.writeUInt32LE(length, 4);
  frame.writeUInt32LE(eventCount, 8);
  frame.writeUInt32LE(flags, 12);
  frame.writeUInt32LE(firstPosition % 0x1_0000_0000, 16);
  frame.writeUInt32LE(Math.floor(firstPosition / 0x1_0000_0000), 20);
  frame.writeUInt32LE(crc32c(frame, HEADER_SIZE, frame.length), 24);
  frame.writeUInt32LE(crc32c(frame, 0, 28), 28);
  return frame;
}

/** What the scanner met at one place of a segment. */
export type ScanItem =
  | { readonly kind: 'frame'; readonly header: FrameHeader; readonly payload: Buffer }
  /** Bytes from `offset` to the end are an unfinished write: nothing valid follows. */
  | { readonly kind: 'torn'; readonly offset: number; readonly reason: string }
  /** Bytes from `offset` up to `resumeAt` are damaged; scanning resumed at the next valid frame. */
  | { readonly kind: 'corrupt'; readonly offset: number; readonly resumeAt: number; readonly reason: string };

function readHeader(data: Buffer, offset: number): FrameHeader {
  return {
    offset,
    payloadLength: data.readUInt32LE(offset + 4),
    eventCount: data.readUInt32LE(offset + 8),
    flags: data[offset + 12]!,
    firstPosition: data.readUInt32LE(offset + 16) + data.readUInt32LE(offset + 20) * 0x1_0000_0000,
  };
}

// Why the frame at `offset` cannot be read, or undefined when it is whole and intact.
function damage(data: Buffer, offset: number): { reason: string; torn: boolean } | undefined {
  const remaining = data.length - offset;
  if (remaining < HEADER_SIZE)
    return { reason: `${remaining} bytes, shorter than a frame header`, torn: true };
  if (isZero(data, offset, offset + HEADER_SIZE)) return { reason: 'a zero-filled header', torn: true };
  if (data.readUInt32LE(offset) !== FRAME_MAGIC) return { reason: 'no frame marker', torn: false };
  if (crc32c(data, offset, offset + 28) !== data.readUInt32LE(offset + 28)) {
    return { reason: 'header checksum mismatch', torn: false };
  }
  const payloadLength = data.readUInt32LE(offset + 4);
  if (payloadLength > remaining - HEADER_SIZE) {
    return {
      reason: `a frame of ${payloadLength} bytes cut short at ${remaining - HEADER_SIZE}`,
      torn: true,
    };
  }
  const start = offset + HEADER_SIZE;
  if (crc32c(data, start, start + payloadLength) !== data.readUInt32LE(offset + 24)) {
    return { reason: 'payload checksum mismatch', torn: false };
  }
  if (data.readUInt32LE(offset + 8) === 0) return { reason: 'a frame with no events', torn: false };
  return undefined;
}

function isZero(data: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (data[i] !== 0) return false;
  return true;
}

// The offset of the next intact frame after `from`, or -1.
function resync(data: Buffer, from: number): number {
  for (
    let offset = data.indexOf(MAGIC_BYTES[0]!, from);
    offset !== -1;
    offset = data.indexOf(MAGIC_BYTES[0]!, offset + 1)
  ) {
    if (
      data[offset + 1] === MAGIC_BYTES[1] &&
      data[offset + 2] === MAGIC_BYTES[2] &&
      data[offset + 3] === MAGIC_BYTES[3] &&
      damage(data, offset) === undefined
    ) {
      return offset;
    }
  }
  return -1;
}

/**
 * Walks the frames of a segment. A damaged frame followed by an intact one is corruption;
 * a damaged frame that reaches the end of the segment is an unfinished write when it looks
 * like one (cut short, or zero-filled), and corruption otherwise.
 */
export function* scanFrames(data: Buffer, from = 0): Generator<ScanItem> {
  let offset = from;
  while (offset < data.length) {
    const problem = damage(data, offset);
    if (problem === undefined) {
      const header = readHeader(data, offset);
      const start = offset + HEADER_SIZE;
      yield { kind: 'frame', header, payload: data.subarray(start, start + header.payloadLength) };
      offset = start + header.payloadLength;
      continue;
    }
    const next = resync(data, offset + 1);
    if (next === -1 && problem.torn) {
      yield { kind: 'torn', offset, reason: problem.reason };
      return;
    }
    const resumeAt = next === -1 ? data.length : next;
    yield { kind: 'corrupt', offset, resumeAt, reason: problem.reason };
    offset = resumeAt;
  }
}
