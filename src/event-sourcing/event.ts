import { randomEventId } from './event-id.js';
import type { EventType } from './event-type.js';

/** What an event says happened: an {@link EventType} value or a domain event name. */
export type EventTypeName = EventType | (string & {});

/** The fields of a new {@link Event}. */
export interface EventInit {
  readonly eventType: EventTypeName;
  readonly actorId: string;
  /** JSON-serialisable details. @default {} */
  readonly data?: Readonly<Record<string, unknown>> | undefined;
  /** Ties together every event caused, directly or not, by one request. */
  readonly correlationId?: string | undefined;
  /** The id of the event or command that caused this one. */
  readonly causationId?: string | undefined;
  /** @default a random UUID */
  readonly eventId?: string | undefined;
  /** Epoch milliseconds; kept exactly as given. @default Date.now() */
  readonly timestamp?: number | undefined;
}

/** An event as a plain JSON object, as {@link Event.toJSON} returns it. */
export interface EventJSON {
  readonly eventId: string;
  readonly eventType: string;
  readonly actorId: string;
  readonly timestamp: number;
  readonly data: Readonly<Record<string, unknown>>;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly streamId?: string;
  readonly version?: number;
  readonly globalPosition?: number;
}

/** An event as a store returns it: with its stream, its version in it and its place in the whole log. */
export type RecordedEvent = Event & {
  readonly streamId: string;
  /** The event's position in its stream, from 1. */
  readonly version: number;
  /** The event's position in the whole store, from 1, strictly increasing in append order. */
  readonly globalPosition: number;
};

interface Position {
  readonly streamId: string;
  readonly version: number;
  readonly globalPosition: number;
}

// Lets stores build events they decoded themselves without validating them again.
const trusted: unique symbol = Symbol('trusted');

function fail(field: string, expected: string, value: unknown): never {
  throw new TypeError(
    `Event.${field} must be ${expected}, received ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0) fail(field, 'a non-empty string', value);
  return value;
}

/**
 * An immutable (frozen) record of something that happened to an actor; treat `data` as
 * immutable too. Stores return copies that also carry `streamId`, `version` and `globalPosition`.
 *
 * @example
 * const event = new Event({ eventType: EventType.STATE_CHANGED, actorId: 'cart-1', data: { items: 2 } });
 * await store.appendToStream('cart-1', [event], { expectedVersion: 'no_stream' });
 */
export class Event {
  readonly eventId: string;
  readonly eventType: EventTypeName;
  readonly actorId: string;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly data: Readonly<Record<string, unknown>>;
  readonly correlationId: string | undefined;
  readonly causationId: string | undefined;
  /** Set on events read from a store. */
  readonly streamId: string | undefined;
  /** Set on events read from a store: the position in the stream, from 1. */
  readonly version: number | undefined;
  /** Set on events read from a store: the position in the whole log, from 1. */
  readonly globalPosition: number | undefined;

  /** @throws TypeError when a field is missing or of the wrong type. */
  constructor(init: EventInit);
  /** @internal */
  constructor(init: EventInit & Partial<Position>, mark: typeof trusted);
  constructor(init: EventInit & Partial<Position>, mark?: typeof trusted) {
    if (mark !== trusted) {
      if (!isPlainObject(init)) fail('init', 'an object', init);
      if (typeof init.eventType !== 'string' || init.eventType.length === 0)
        fail('eventType', 'a non-empty string', init.eventType);
      if (typeof init.actorId !== 'string' || init.actorId.length === 0)
        fail('actorId', 'a non-empty string', init.actorId);
      if (init.data !== undefined && !isPlainObject(init.data)) fail('data', 'a plain object', init.data);
      if (init.timestamp !== undefined && !Number.isFinite(init.timestamp))
        fail('timestamp', 'a finite number of epoch milliseconds', init.timestamp);
      optionalString('eventId', init.eventId);
      optionalString('correlationId', init.correlationId);
      optionalString('causationId', init.causationId);
    }
    this.eventId = init.eventId ?? randomEventId();
    this.eventType = init.eventType;
    this.actorId = init.actorId;
    this.timestamp = init.timestamp ?? Date.now();
    this.data = init.data ?? {};
    this.correlationId = init.correlationId ?? undefined;
    this.causationId = init.causationId ?? undefined;
    this.streamId = init.streamId;
    this.version = init.version;
    this.globalPosition = init.globalPosition;
    // Stores hand the same instance to every reader, so no reader may change it for the others.
    Object.freeze(this);
  }

  /** The event as a plain object; `JSON.stringify(event)` uses it. Absent optional fields are left out. */
  toJSON(): EventJSON {
    const json: Record<string, unknown> = {
      eventId: this.eventId,
      eventType: this.eventType,
      actorId: this.actorId,
      timestamp: this.timestamp,
      data: this.data,
    };
    if (this.correlationId !== undefined) json.correlationId = this.correlationId;
    if (this.causationId !== undefined) json.causationId = this.causationId;
    if (this.streamId !== undefined) json.streamId = this.streamId;
    if (this.version !== undefined) json.version = this.version;
    if (this.globalPosition !== undefined) json.globalPosition = this.globalPosition;
    return json as unknown as EventJSON;
  }

  /**
   * Rebuilds an event from JSON text or from the object {@link toJSON} returned.
   *
   * @throws TypeError when the input is not a valid event.
   */
  static fromJSON(json: string | EventJSON): Event {
    const value: unknown = typeof json === 'string' ? JSON.parse(json) : json;
    if (!isPlainObject(value)) fail('init', 'an object', value);
    if (typeof value.eventId !== 'string' || value.eventId.length === 0)
      fail('eventId', 'a non-empty string', value.eventId);
    if (typeof value.timestamp !== 'number')
      fail('timestamp', 'a finite number of epoch milliseconds', value.timestamp);
    const event = new Event(value as unknown as EventInit);
    const { streamId, version, globalPosition } = value;
    if (streamId === undefined && version === undefined && globalPosition === undefined) return event;
    if (typeof streamId !== 'string' || !isPosition(version) || !isPosition(globalPosition)) {
      fail('streamId/version/globalPosition', 'given together, as a string and two integers >= 1', version);
    }
    return recordEvent(event, streamId, version, globalPosition);
  }
}

function isPosition(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1;
}

/** A copy of `event` placed in a stream and in the log. */
export function recordEvent(
  event: Event,
  streamId: string,
  version: number,
  globalPosition: number,
): RecordedEvent {
  return new Event(
    {
      eventId: event.eventId,
      eventType: event.eventType,
      actorId: event.actorId,
      timestamp: event.timestamp,
      data: event.data,
      correlationId: event.correlationId,
      causationId: event.causationId,
      streamId,
      version,
      globalPosition,
    },
    trusted,
  ) as RecordedEvent;
}

/** Builds a recorded event from fields a store decoded from its own storage, without checking them again. */
export function decodedEvent(fields: EventInit & Position): RecordedEvent {
  return new Event(fields, trusted) as RecordedEvent;
}

/** Whether `value` is an {@link Event} (of this copy of bulwark). */
export function isEvent(value: unknown): value is Event {
  return value instanceof Event;
}
