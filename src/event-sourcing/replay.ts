import {
  abortableSleep,
  type Clock,
  isThenable,
  type Rule,
  rules,
  systemClock,
  validateConfig,
} from '../core/index.js';
import type { Event } from './event.js';
import { batchesOf } from './event-batches.js';

/** Options of `replayEvents`. */
export interface ReplayOptions {
  /**
   * How much faster than real time: `2` halves every gap between events, `Infinity`
   * replays without waiting.
   * @default 1
   */
  readonly speed?: number | undefined;
  /** Receives each event in turn; a returned promise is awaited before the next event. */
  readonly callback?: ((event: Event) => unknown) | undefined;
  /** Stops the replay; the returned promise rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

const positiveSpeed: Rule = {
  expected: 'a number > 0 or Infinity',
  type: 'range',
  test: (value) => typeof value === 'number' && value > 0,
};

const schema = {
  speed: positiveSpeed,
  callback: rules.function,
  signal: rules.signal,
};

/**
 * Replays events (an array, or any sync or async iterable) at `speed` times the pace at
 * which they happened, on `clock`.
 *
 * @throws RangeError when `speed` is not positive.
 */
export async function replayEvents(
  events: Iterable<Event> | AsyncIterable<Event>,
  options: ReplayOptions = {},
  clock: Clock = systemClock,
): Promise<number> {
  validateConfig('ReplayOptions', options, schema);
  const { speed = 1, callback, signal } = options;
  let count = 0;
  let previous: number | undefined;
  // One event's turn. It returns a promise only when there is something to wait for, so a
  // replay at full speed with a synchronous callback takes no microtask turn per event.
  const play = (event: Event): PromiseLike<unknown> | undefined => {
    signal?.throwIfAborted();
    const gapMs =
      previous === undefined || speed === Number.POSITIVE_INFINITY ? 0 : (event.timestamp - previous) / speed;
    previous = event.timestamp;
    count++;
    if (gapMs > 0) return abortableSleep(gapMs, signal, clock).then(() => callback?.(event));
    const result = callback?.(event);
    return isThenable(result) ? result : undefined;
  };
  const playAll = async (batch: Iterable<Event>): Promise<void> => {
    for (const event of batch) {
      const wait = play(event);
      if (wait !== undefined) await wait;
    }
  };
  const batches = batchesOf(events);
  if (batches !== undefined) {
    for await (const batch of batches) await playAll(batch);
  } else if (Symbol.asyncIterator in events) {
    for await (const event of events) {
      const wait = play(event);
      if (wait !== undefined) await wait;
    }
  } else {
    await playAll(events);
  }
  return count;
}
