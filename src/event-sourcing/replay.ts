import { abortableSleep, type Clock, type Rule, rules, systemClock, validateConfig } from '../core/index.js';
import type { Event } from './event.js';

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
 * Replays events at `speed` times the pace at which they happened, on `clock`.
 *
 * @throws RangeError when `speed` is not positive.
 */
export async function replayEvents(
  events: readonly Event[],
  options: ReplayOptions = {},
  clock: Clock = systemClock,
): Promise<number> {
  validateConfig('ReplayOptions', options, schema);
  const { speed = 1, callback, signal } = options;
  let count = 0;
  let previous: number | undefined;
  for (const event of events) {
    signal?.throwIfAborted();
    if (previous !== undefined && speed !== Number.POSITIVE_INFINITY) {
      const gapMs = (event.timestamp - previous) / speed;
      if (gapMs > 0) await abortableSleep(gapMs, signal, clock);
    }
    previous = event.timestamp;
    if (callback !== undefined) await callback(event);
    count++;
  }
  return count;
}
