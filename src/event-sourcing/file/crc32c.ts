// CRC-32C (Castagnoli), the checksum of iSCSI, ext4 and LevelDB logs: it catches every
// burst error up to 32 bits. Computed slicing-by-8, eight table lookups per eight bytes.
const POLYNOMIAL = 0x82f63b78;
const table = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
  table[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = table[n]!;
  for (let k = 1; k < 8; k++) {
    c = table[c & 0xff]! ^ (c >>> 8);
    table[k * 256 + n] = c;
  }
}

/** The CRC-32C of `data[start, end)`, as an unsigned 32-bit integer. */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  let crc = -1;
  let i = start;
  const t = table;
  // Reads eight bytes as two little-endian words, whatever the alignment and the platform.
  const words = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (const end8 = start + ((end - start) & ~7); i < end8; i += 8) {
    const low = words.getInt32(i, true) ^ crc;
    const high = words.getInt32(i + 4, true);
    crc =
      t[1792 + (low & 0xff)]! ^
      t[1536 + ((low >>> 8) & 0xff)]! ^
      t[1280 + ((low >>> 16) & 0xff)]! ^
      t[1024 + (low >>> 24)]! ^
      t[768 + (high & 0xff)]! ^
      t[512 + ((high >>> 8) & 0xff)]! ^
      t[256 + ((high >>> 16) & 0xff)]! ^
      t[high >>> 24]!;
  }
  for (; i < end; i++) crc = t[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
