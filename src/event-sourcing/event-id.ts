import { randomFillSync } from 'node:crypto';

// `crypto.randomUUID()` builds its text by concatenating 20 pieces, which V8 keeps as a
// chain of rope nodes; events live long (in memory windows and logs), so every one of
// those nodes is copied by the garbage collector, several times the cost of the id itself.
// This writes the same RFC 9562 version 4 UUID as one flat string.
const BATCH = 256;
const random = Buffer.alloc(16 * BATCH);
const text = Buffer.alloc(36);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
let next = BATCH;

/** A random (version 4) UUID, in lower case. */
export function randomEventId(): string {
  if (next === BATCH) {
    randomFillSync(random);
    next = 0;
  }
  const start = next++ * 16;
  random[start + 6] = (random[start + 6]! & 0x0f) | 0x40;
  random[start + 8] = (random[start + 8]! & 0x3f) | 0x80;
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[at++] = 0x2d;
    const byte = random[start + i]!;
    text[at++] = HEX_DIGITS[byte >> 4]!;
    text[at++] = HEX_DIGITS[byte & 0x0f]!;
  }
  return text.toString('latin1', 0, 36);
}
