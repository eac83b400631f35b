import type { Rule } from '../core/index.js';

/**
 * The values a breaker's `state` takes, one gauge series each, so a dashboard can show
 * time spent per state and alert on `state="open"` without guessing missing series.
 */
export const circuitStateValues: readonly string[] = Object.freeze([
  'closed',
  'open',
  'half_open',
  'forced_open',
  'disabled',
  'metrics_only',
]);

/**
 * Call-duration histogram buckets, in seconds: 5 ms to 10 s, the span of calls that
 * resilience policies guard (the same as prom-client's defaults).
 */
export const defaultDurationBuckets: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** A gauge update that marks `current` 1 and every other known value 0; unknown values get a series too. */
export function forEachStateSeries(
  known: readonly string[],
  current: string,
  set: (value: string, flag: 0 | 1) => void,
): void {
  for (const value of known) set(value, value === current ? 1 : 0);
  if (!known.includes(current)) set(current, 1);
}

/** Validates histogram bucket bounds given in options. */
export const bucketsRule: Rule = {
  expected: 'a non-empty array of increasing positive numbers',
  type: 'type',
  test: (value) =>
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (bound, index) =>
        typeof bound === 'number' && bound > 0 && (index === 0 || bound > (value[index - 1] as number)),
    ),
};
