/** An estimate of a value's size in bytes: its JSON length; 0 when it cannot be serialised. */
export function estimateSize(value: unknown): number {
  if (value === undefined) return 0;
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '');
  } catch {
    return 0;
  }
}
