// V8 encodes UTF-8 a character at a time, while Latin-1 is a bulk copy. JSON text is nearly
// always ASCII, whose UTF-8 bytes are its Latin-1 bytes; it is ASCII exactly when its UTF-8
// length equals its length in UTF-16 units, every other unit taking two bytes or more.

/** Writes `text` as UTF-8 (`byteLength` bytes, as `Buffer.byteLength` counts) at `offset`. */
export function writeText(target: Buffer, text: string, offset: number, byteLength: number): void {
  target.write(text, offset, byteLength, byteLength === text.length ? 'latin1' : 'utf8');
}

/** `text` as UTF-8 bytes. */
export function textBytes(text: string): Buffer {
  const byteLength = Buffer.byteLength(text);
  const bytes = Buffer.allocUnsafe(byteLength);
  writeText(bytes, text, 0, byteLength);
  return bytes;
}
