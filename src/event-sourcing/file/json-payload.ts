import type { RecordedEvent } from '../event.js';
import type { Tuple } from './tuple.js';

// The first payload encoding, read from frames without FLAG_BINARY: one UTF-8 JSON array
// with a tuple per event. It is still written for the rare commit the binary encoding
// cannot carry exactly.

/** The events of one commit as JSON text. */
export function encodeJsonPayload(events: readonly RecordedEvent[]): string {
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
  return JSON.stringify(tuples);
}

/** The tuples of a JSON payload of `eventCount` events; throws when it holds anything else. */
export function decodeJsonPayload(bytes: Buffer, eventCount: number): Tuple[] {
  return parseJsonArray(bytes.toString('utf8'), eventCount) as Tuple[];
}

/** `text` parsed, when it is a JSON array of `eventCount` items; throws otherwise. */
export function parseJsonArray(text: string, eventCount: number): unknown[] {
  const items: unknown = JSON.parse(text);
  if (!Array.isArray(items) || items.length !== eventCount) {
    throw new Error(
      `the frame declares ${eventCount} events but holds ${Array.isArray(items) ? items.length : 'none'}`,
    );
  }
  return items;
}
