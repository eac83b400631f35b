import { describe, expect, it } from 'vitest';
import { rules, type Schema, validateConfig } from '../../src/core/index.js';

interface ExampleConfig {
  maxRetries?: number;
  ratio?: number;
  delayMs?: number;
  mode?: 'a' | 'b';
  onEvent?: () => void;
}

const schema: Schema<ExampleConfig> = {
  maxRetries: rules.integer(0),
  ratio: rules.fraction,
  delayMs: rules.duration(0, { infinite: true }),
  mode: rules.oneOf('a', 'b'),
  onEvent: rules.function,
};

const check = (options: unknown) => () => validateConfig<ExampleConfig>('ExampleConfig', options, schema);

describe('validateConfig', () => {
  it('accepts valid options, omitted options and undefined values', () => {
    expect(check({ maxRetries: 2, ratio: 0.5, delayMs: Number.POSITIVE_INFINITY, mode: 'b' })).not.toThrow();
    expect(check(undefined)).not.toThrow();
    expect(check({ maxRetries: undefined })).not.toThrow();
  });

  it('rejects an unknown key and suggests the option that was meant', () => {
    expect(check({ maxRetry: 3 })).toThrow(TypeError);
    expect(check({ maxRetry: 3 })).toThrow(
      'ExampleConfig has no option "maxRetry" (did you mean "maxRetries"?)',
    );
  });

  it('prefers the option that starts like the misspelt key when two are as close', () => {
    const retrySchema = { onRetry: rules.function, maxRetries: rules.integer(0) };
    expect(() => validateConfig('RetryConfig', { maxRetry: 3 }, retrySchema)).toThrow(
      '(did you mean "maxRetries"?)',
    );
  });

  it('lists the known options when nothing is close', () => {
    expect(check({ colour: 'red' })).toThrow(/known options: maxRetries, ratio, delayMs, mode, onEvent/);
  });

  it('throws a RangeError naming the field and the expected range', () => {
    expect(check({ maxRetries: -1 })).toThrow(RangeError);
    expect(check({ maxRetries: -1 })).toThrow(
      'ExampleConfig.maxRetries must be an integer >= 0, received -1',
    );
    expect(check({ ratio: 1.5 })).toThrow('ExampleConfig.ratio must be a number from 0 to 1, received 1.5');
    expect(check({ delayMs: 2 ** 31 })).toThrow(
      /ExampleConfig.delayMs must be a duration in ms from 0 to 2147483647 or Infinity/,
    );
  });

  it('throws a TypeError naming the field when the type is wrong', () => {
    expect(check({ maxRetries: '3' })).toThrow(TypeError);
    expect(check({ maxRetries: '3' })).toThrow(
      'ExampleConfig.maxRetries must be an integer >= 0, received "3"',
    );
    expect(check({ onEvent: 42 })).toThrow('ExampleConfig.onEvent must be a function, received 42');
    expect(check({ mode: 'c' })).toThrow('ExampleConfig.mode must be one of "a", "b", received "c"');
  });

  it('rejects NaN where a number is expected', () => {
    expect(check({ ratio: Number.NaN })).toThrow(
      'ExampleConfig.ratio must be a number from 0 to 1, received NaN',
    );
  });

  it('rejects options that are not an object', () => {
    expect(check(5)).toThrow('ExampleConfig must be an options object, received 5');
    expect(check([])).toThrow('received an array');
    expect(check(null)).toThrow('received null');
  });
});
