import type { Clock } from './clock.js';

/*
 * While a pipeline sets up an attempt, the first of its policies that needs the attempt's start
 * reads the clock and the others reuse that reading: one clock read where each would take its
 * own. The reading is dropped before any code outside the chained policies runs.
 */
let readingClock: Clock | undefined;
// The reading is kept as a raw double: a module variable would box it in a new number each time.
const reading = new Float64Array(1);

/** The start of the attempt being set up, read from `clock` once per setup. */
export function attemptStart(clock: Clock): number {
  if (readingClock !== clock) {
    readingClock = clock;
    reading[0] = clock.now();
  }
  return reading[0]!;
}

/** Ends the setup: the next {@link attemptStart} reads the clock again. */
export function endAttemptSetup(): void {
  readingClock = undefined;
}
