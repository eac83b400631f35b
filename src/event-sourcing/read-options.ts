import { type Rule, rules, validateConfig } from '../core/index.js';
import type { ReadAllOptions, ReadStreamOptions, TimeRange } from './event-store.js';

const count: Rule = {
  expected: 'an integer >= 0 or Infinity',
  type: 'range',
  test: (value) =>
    value === Number.POSITIVE_INFINITY || (Number.isSafeInteger(value) && (value as number) >= 0),
};

const readStreamSchema = { fromVersion: rules.integer(0), maxCount: count };
const readAllSchema = { fromPosition: rules.integer(0), maxCount: count };
const timeRangeSchema = {
  startTime: rules.number(Number.NEGATIVE_INFINITY),
  endTime: rules.number(Number.NEGATIVE_INFINITY),
};

/** Validated {@link ReadStreamOptions} with defaults applied. */
export function readStreamOptions(options: ReadStreamOptions | undefined): {
  fromVersion: number;
  maxCount: number;
} {
  validateConfig('ReadStreamOptions', options, readStreamSchema);
  return { fromVersion: options?.fromVersion ?? 1, maxCount: options?.maxCount ?? Number.POSITIVE_INFINITY };
}

/** Validated {@link ReadAllOptions} with defaults applied. */
export function readAllOptions(options: ReadAllOptions | undefined): {
  fromPosition: number;
  maxCount: number;
} {
  validateConfig('ReadAllOptions', options, readAllSchema);
  return {
    fromPosition: options?.fromPosition ?? 1,
    maxCount: options?.maxCount ?? Number.POSITIVE_INFINITY,
  };
}

/** Validates a {@link TimeRange}. */
export function timeRange(range: TimeRange | undefined): TimeRange {
  validateConfig('TimeRange', range, timeRangeSchema);
  return range ?? {};
}

/** @throws TypeError when `id` is not a non-empty string. */
export function requireId(name: string, id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new TypeError(`${name} must be a non-empty string, received ${String(id)}`);
  }
}
