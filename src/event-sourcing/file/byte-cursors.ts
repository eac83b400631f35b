import { writeText } from './text-bytes.js';

// The binary fields of a payload: unsigned LEB128 varints (7 bits a byte, low bits first) for
// counts, lengths, indexes and versions, and little-endian float64 for timestamps.

/** The most bytes a varint takes: 8 hold 56 bits, past every safe integer. */
export const MAX_VARINT_BYTES = 8;

/** Writes fields forward into a buffer sized by the caller. */
export class ByteWriter {
  readonly #bytes: Buffer;
  #position = 0;

  constructor(size: number) {
    this.#bytes = Buffer.allocUnsafe(size);
  }

  /** A non-negative safe integer. */
  varint(value: number): void {
    const bytes = this.#bytes;
    // Division rather than shifts: versions may exceed 32 bits.
    while (value >= 0x80) {
      bytes[this.#position++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    bytes[this.#position++] = value;
  }

  f64(value: number): void {
    this.#bytes.writeDoubleLE(value, this.#position);
    this.#position += 8;
  }

  /** Copies `bytes` in. */
  copy(bytes: Uint8Array): void {
    this.#bytes.set(bytes, this.#position);
    this.#position += bytes.length;
  }

  /** Writes `text` as UTF-8, `byteLength` bytes as `Buffer.byteLength` counts them. */
  text(text: string, byteLength: number): void {
    writeText(this.#bytes, text, this.#position, byteLength);
    this.#position += byteLength;
  }

  /** What was written. */
  written(): Buffer {
    return this.#bytes.subarray(0, this.#position);
  }
}

/** Reads fields forward from `bytes`; reading past their end throws. */
export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  position = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.position === this.#bytes.length;
  }

  varint(): number {
    const bytes = this.#bytes;
    const first = bytes[this.position++];
    // Counts, lengths and indexes nearly always fit one byte.
    if (first !== undefined && first < 0x80) return first;
    if (first === undefined) throw new RangeError('the payload ends inside a number');
    let value = first & 0x7f;
    let scale = 0x80;
    for (let size = 2; size <= MAX_VARINT_BYTES; size++, scale *= 0x80) {
      const byte = bytes[this.position++];
      if (byte === undefined) throw new RangeError('the payload ends inside a number');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (value > Number.MAX_SAFE_INTEGER) break;
        return value;
      }
    }
    throw new RangeError('a number in the payload is out of range');
  }

  f64(): number {
    if (this.position + 8 > this.#bytes.length) throw new RangeError('the payload ends inside a number');
    const value = this.#view.getFloat64(this.position, true);
    this.position += 8;
    return value;
  }
}
