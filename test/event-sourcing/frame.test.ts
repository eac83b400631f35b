import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../src/event-sourcing/file/crc32c.js';
import { encodeFrame, HEADER_SIZE, type ScanItem, scanFrames } from '../../src/event-sourcing/file/frame.js';
import { textBytes } from '../../src/event-sourcing/file/text-bytes.js';

describe('crc32c', () => {
  it('matches the CRC-32C check values', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
  });

  it('agrees with a bit-at-a-time CRC-32C at any offset into a shared buffer', () => {
    const bitwise = (bytes: Uint8Array): number => {
      let crc = 0xffffffff;
      for (const byte of bytes) {
        crc ^= byte;
        for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
      }
      return ~crc >>> 0;
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(7), (bytes, skip) => {
        const shared = new Uint8Array(skip + bytes.length);
        shared.set(bytes, skip);
        expect(crc32c(shared.subarray(skip))).toBe(bitwise(bytes));
      }),
    );
  });

  it('computes a range the same as the bytes alone', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = a % (bytes.length + 1);
        const end = start + (b % (bytes.length - start + 1));
        expect(crc32c(bytes, start, end)).toBe(crc32c(bytes.slice(start, end)));
      }),
    );
  });
});

describe('textBytes', () => {
  it('encodes any text as UTF-8, ASCII or not', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '"', 'é', '☕', '😀', '\ud800', '\u007f', '\u0080') }),
        (text) => {
          expect(textBytes(text)).toEqual(Buffer.from(text, 'utf8'));
        },
      ),
    );
  });

  it('builds the same frame from a string payload as from its bytes', () => {
    for (const text of ['{"a":1}', '["café ☕"]']) {
      expect(encodeFrame(text, 1, 0, 7)).toEqual(encodeFrame(Buffer.from(text), 1, 0, 7));
    }
  });
});

const segment = (payloads: string[]): { data: Buffer; offsets: number[] } => {
  const frames = payloads.map((text, index) => encodeFrame(Buffer.from(text), 1, 0, index + 1));
  const offsets = frames.map((_, index) =>
    frames.slice(0, index).reduce((sum, frame) => sum + frame.length, 0),
  );
  return { data: Buffer.concat(frames), offsets };
};
const frames = (items: ScanItem[]) => items.filter((item) => item.kind === 'frame');

describe('scanFrames', () => {
  it('reads every frame of an intact segment', () => {
    const { data, offsets } = segment(['["a"]', '["bb"]', '["ccc"]']);
    const items = [...scanFrames(data)];
    expect(items.map((item) => item.kind)).toEqual(['frame', 'frame', 'frame']);
    expect(
      frames(items).map((item) => [item.header.offset, item.header.firstPosition, item.payload.toString()]),
    ).toEqual([
      [offsets[0], 1, '["a"]'],
      [offsets[1], 2, '["bb"]'],
      [offsets[2], 3, '["ccc"]'],
    ]);
  });

  it('calls a frame cut short at the end an unfinished write', () => {
    const { data, offsets } = segment(['["a"]', '["bb"]']);
    expect([...scanFrames(data.subarray(0, data.length - 2))].at(-1)).toMatchObject({
      kind: 'torn',
      offset: offsets[1],
    });
    expect([...scanFrames(data.subarray(0, offsets[1]! + 10))].at(-1)).toMatchObject({
      kind: 'torn',
      offset: offsets[1],
    });
    expect([...scanFrames(Buffer.concat([data, Buffer.alloc(HEADER_SIZE + 7)]))].at(-1)).toMatchObject({
      kind: 'torn',
      offset: data.length,
    });
  });

  it('detects any flipped bit: altered content is never returned as a frame', () => {
    const payloads = ['{"n":1,"text":"first"}', '{"n":2,"text":"second"}', '{"n":3,"text":"third"}'];
    const { data } = segment(payloads);
    fc.assert(
      fc.property(fc.nat({ max: data.length - 1 }), fc.integer({ min: 0, max: 7 }), (offset, bit) => {
        const damaged = Buffer.from(data);
        damaged[offset] = damaged[offset]! ^ (1 << bit);
        const items = [...scanFrames(damaged)];
        expect(items.some((item) => item.kind !== 'frame')).toBe(true);
        for (const item of frames(items)) expect(payloads).toContain(item.payload.toString());
      }),
      { numRuns: 500 },
    );
  });

  it('resumes after a damaged frame in the middle and reports where it was', () => {
    const { data, offsets } = segment(['["a"]', '["bb"]', '["ccc"]']);
    data[offsets[1]! + HEADER_SIZE + 1] = 0x7a;
    const items = [...scanFrames(data)];
    expect(items[1]).toEqual({
      kind: 'corrupt',
      offset: offsets[1],
      resumeAt: offsets[2],
      reason: 'payload checksum mismatch',
    });
    expect(frames(items).map((item) => item.payload.toString())).toEqual(['["a"]', '["ccc"]']);
  });
});
