import { Event, type EventInit, type RecordedEvent, recordEvent } from './event.js';
import { checkExpectedVersion, type ExpectedVersion, validateAppend } from './expected-version.js';

/**
 * Hands out stream versions and global positions. The check and the assignment happen in
 * one synchronous step, so of concurrent appends at the same expected version exactly one wins.
 */
export class Sequencer {
  readonly #versions = new Map<string, number>();
  #lastPosition = 0;

  /** The last global position handed out (0 for an empty log). */
  get lastPosition(): number {
    return this.#lastPosition;
  }

  /** The version of the stream's last event, 0 when it has none. */
  version(streamId: string): number {
    return this.#versions.get(streamId) ?? 0;
  }

  /** Records an event found in storage. */
  restore(streamId: string, version: number, globalPosition: number): void {
    this.#versions.set(streamId, version);
    if (globalPosition > this.#lastPosition) this.#lastPosition = globalPosition;
  }

  /**
   * Checks `expectedVersion` and places `events` after the stream's last event.
   *
   * @throws ExpectedVersionConflictError when `expectedVersion` does not hold.
   */
  assign(
    streamId: string,
    events: readonly (Event | EventInit)[],
    expectedVersion: ExpectedVersion,
  ): RecordedEvent[] {
    validateAppend(streamId, events, expectedVersion);
    const current = this.version(streamId);
    checkExpectedVersion(streamId, expectedVersion, current);
    const recorded = new Array<RecordedEvent>(events.length);
    for (let index = 0; index < events.length; index++) {
      const given = events[index]!;
      const event = given instanceof Event ? given : new Event(given);
      recorded[index] = recordEvent(event, streamId, current + index + 1, this.#lastPosition + index + 1);
    }
    if (recorded.length > 0) {
      this.#versions.set(streamId, current + recorded.length);
      this.#lastPosition += recorded.length;
    }
    return recorded;
  }
}
