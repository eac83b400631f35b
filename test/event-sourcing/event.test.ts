import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type AppendResult,
  Event,
  type EventStore,
  EventType,
  MemoryEventStore,
  type RecordedEvent,
} from '../../src/event-sourcing/index.js';

describe('EventType', () => {
  it('names every built-in event in lower case, as a frozen object', () => {
    expect(EventType).toEqual({
      ACTOR_CREATED: 'actor_created',
      ACTOR_DESTROYED: 'actor_destroyed',
      MESSAGE_SENT: 'message_sent',
      MESSAGE_PROCESSED: 'message_processed',
      STATE_CHANGED: 'state_changed',
      SNAPSHOT_TAKEN: 'snapshot_taken',
      FAILURE_OCCURRED: 'failure_occurred',
    });
    expect(Object.isFrozen(EventType)).toBe(true);
    expectTypeOf<EventType>().toEqualTypeOf<
      | 'actor_created'
      | 'actor_destroyed'
      | 'message_sent'
      | 'message_processed'
      | 'state_changed'
      | 'snapshot_taken'
      | 'failure_occurred'
    >();
  });
});

describe('Event', () => {
  it('defaults eventId to a UUID, timestamp to now and data to {}', () => {
    const before = Date.now();
    const event = new Event({ eventType: EventType.ACTOR_CREATED, actorId: 'a' });
    expect(event.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event.timestamp).toBeGreaterThanOrEqual(before);
    expect(event.timestamp).toBeLessThanOrEqual(Date.now());
    expect(event.data).toEqual({});
    expect(event.correlationId).toBeUndefined();
    expect(event.version).toBeUndefined();
  });

  it('gives every event a distinct version 4 UUID, across many batches of random bytes', () => {
    const ids = Array.from({ length: 2000 }, () => new Event({ eventType: 'x', actorId: 'a' }).eventId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const nibbles = new Set(ids.flatMap((id) => [...id.replaceAll('-', '')]));
    expect(nibbles.size).toBe(16);
  });

  it('keeps every given field, the timestamp exactly as given', () => {
    const event = new Event({
      eventType: 'custom',
      actorId: 'a',
      data: { n: 1 },
      correlationId: 'c',
      causationId: 'p',
      eventId: 'id-1',
      timestamp: 1234.5678,
    });
    expect(event.toJSON()).toEqual({
      eventId: 'id-1',
      eventType: 'custom',
      actorId: 'a',
      timestamp: 1234.5678,
      data: { n: 1 },
      correlationId: 'c',
      causationId: 'p',
    });
  });

  it('is frozen, so a reader cannot change what other readers see', () => {
    const event = new Event({ eventType: 'x', actorId: 'a' });
    expect(Object.isFrozen(event)).toBe(true);
    expect(() => {
      (event as { actorId: string }).actorId = 'b';
    }).toThrow(TypeError);
  });

  it('round-trips through JSON text and through the object toJSON returns', () => {
    const event = new Event({
      eventType: EventType.FAILURE_OCCURRED,
      actorId: 'a',
      data: { error: 'boom' },
      causationId: 'x',
    });
    for (const json of [JSON.stringify(event), event.toJSON()]) {
      const copy = Event.fromJSON(json);
      expect(copy).toBeInstanceOf(Event);
      expect(copy.toJSON()).toEqual(event.toJSON());
    }
  });

  it('round-trips a recorded event with its stream, version and position', async () => {
    const [recorded] = (
      await new MemoryEventStore().appendToStream('s', [new Event({ eventType: 'x', actorId: 'a' })])
    ).events;
    const copy = Event.fromJSON(JSON.stringify(recorded));
    expect(copy).toMatchObject({ streamId: 's', version: 1, globalPosition: 1 });
  });

  it('rejects missing or malformed fields, naming them', () => {
    expect(() => new Event({ eventType: '', actorId: 'a' })).toThrow(
      /Event.eventType must be a non-empty string/,
    );
    expect(() => new Event({ eventType: 'x' } as never)).toThrow(/Event.actorId/);
    expect(() => new Event({ eventType: 'x', actorId: 'a', data: [] as never })).toThrow(
      /Event.data must be a plain object/,
    );
    expect(() => new Event({ eventType: 'x', actorId: 'a', timestamp: Number.NaN })).toThrow(
      /Event.timestamp/,
    );
    expect(() => new Event({ eventType: 'x', actorId: 'a', correlationId: 7 as never })).toThrow(
      /Event.correlationId/,
    );
    expect(() => Event.fromJSON('{"eventType":"x","actorId":"a"}')).toThrow(/Event.eventId/);
    expect(() =>
      Event.fromJSON({ ...new Event({ eventType: 'x', actorId: 'a' }).toJSON(), version: 0 }),
    ).toThrow(TypeError);
  });

  it('types what stores return', () => {
    expectTypeOf<RecordedEvent['version']>().toEqualTypeOf<number>();
    expectTypeOf<RecordedEvent['globalPosition']>().toEqualTypeOf<number>();
    expectTypeOf<EventStore['appendToStream']>().returns.toEqualTypeOf<Promise<AppendResult>>();
    expectTypeOf<EventStore['readStream']>().returns.toEqualTypeOf<Promise<RecordedEvent[]>>();
    expectTypeOf<Event['version']>().toEqualTypeOf<number | undefined>();
  });
});
