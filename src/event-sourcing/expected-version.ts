import { ExpectedVersionConflictError } from './errors.js';

/**
 * What an append expects of its stream: the version of the stream's last event (`0` for a
 * stream that does not exist yet), `'any'` (no check), `'no_stream'` or `'stream_exists'`.
 */
export type ExpectedVersion = number | 'any' | 'no_stream' | 'stream_exists';

/** Whether a value is a valid {@link ExpectedVersion}. */
export function isExpectedVersion(value: unknown): value is ExpectedVersion {
  return (
    value === 'any' ||
    value === 'no_stream' ||
    value === 'stream_exists' ||
    (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)
  );
}

/**
 * Throws when `expected` does not hold for a stream whose last version is `actual`
 * (`0` when it does not exist).
 *
 * @throws ExpectedVersionConflictError on a mismatch.
 */
export function checkExpectedVersion(streamId: string, expected: ExpectedVersion, actual: number): void {
  const holds =
    expected === 'any' ||
    (expected === 'no_stream' && actual === 0) ||
    (expected === 'stream_exists' && actual > 0) ||
    expected === actual;
  if (!holds) throw new ExpectedVersionConflictError(streamId, expected, actual);
}

/** @throws TypeError when the append's arguments are malformed. */
export function validateAppend(streamId: unknown, events: unknown, expected: unknown): void {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new TypeError(`appendToStream: streamId must be a non-empty string, received ${String(streamId)}`);
  }
  if (!Array.isArray(events)) {
    throw new TypeError('appendToStream: events must be an array of Event');
  }
  if (!isExpectedVersion(expected)) {
    throw new TypeError(
      `appendToStream: expectedVersion must be an integer >= 0, "any", "no_stream" or "stream_exists", received ${String(expected)}`,
    );
  }
}
