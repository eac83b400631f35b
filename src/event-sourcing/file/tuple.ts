import { decodedEvent, type RecordedEvent } from '../event.js';

/**
 * An event as a payload decodes it:
 *   [streamId, version, eventId, eventType, actorId, timestamp, data, correlationId | null, causationId | null]
 * The global position is not stored per event: it is the frame's firstPosition + index.
 */
export type Tuple = [
  string,
  number,
  string,
  string,
  string,
  number,
  Record<string, unknown>,
  string | null,
  string | null,
];

/** The events of decoded tuples `[from, to)`, the first tuple at `firstPosition`. */
export function tupleEvents(
  tuples: readonly Tuple[],
  firstPosition: number,
  from = 0,
  to = tuples.length,
): RecordedEvent[] {
  const events = new Array<RecordedEvent>(to - from);
  for (let i = from; i < to; i++) {
    const t = tuples[i]!;
    events[i - from] = decodedEvent({
      streamId: t[0],
      version: t[1],
      eventId: t[2],
      eventType: t[3],
      actorId: t[4],
      timestamp: t[5],
      data: t[6],
      correlationId: t[7] ?? undefined,
      causationId: t[8] ?? undefined,
      globalPosition: firstPosition + i,
    });
  }
  return events;
}
