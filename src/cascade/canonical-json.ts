/**
 * A JSON text that is the same for deep-equal values: object keys sorted, `undefined`
 * fields dropped as JSON drops them. Values JSON cannot express (bigints, cycles) fall back
 * to a tagged form so they still compare by content where they can, never by accident.
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, ancestors: Set<object>): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : `"#number:${value}"`;
  if (typeof value === 'bigint') return `"#bigint:${value}"`;
  if (typeof value !== 'object') return value === undefined ? 'null' : `"#${typeof value}"`;
  if (ancestors.has(value)) return '"#cycle"';
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return write(toJSON.call(value), ancestors);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return `[${value.map((item) => write(item, ancestors)).join(',')}]`;
    if (value instanceof Map) {
      const entries = [...value].map(([key, item]) => `[${write(key, ancestors)},${write(item, ancestors)}]`);
      return `{"#map":[${entries.sort().join(',')}]}`;
    }
    if (value instanceof Set) {
      const items = [...value].map((item) => write(item, ancestors));
      return `{"#set":[${items.sort().join(',')}]}`;
    }
    const entries: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const field = (value as Record<string, unknown>)[key];
      if (field === undefined || typeof field === 'function' || typeof field === 'symbol') continue;
      entries.push(`${JSON.stringify(key)}:${write(field, ancestors)}`);
    }
    return `{${entries.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}
