import { describe, expect, it } from 'vitest';
import { BulwarkError, errorGuard, isBulwarkError, withoutStackTrace } from '../../src/core/index.js';

class ExampleError extends BulwarkError {
  constructor(cause?: unknown) {
    super('EXAMPLE', 'example failure', { cause });
    this.name = 'ExampleError';
  }
}
const isExampleError = errorGuard<ExampleError>('EXAMPLE');

describe('BulwarkError', () => {
  it('carries a stable code, a name and the cause', () => {
    const cause = new Error('root');
    const error = new ExampleError(cause);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('EXAMPLE');
    expect(error.name).toBe('ExampleError');
    expect(error.cause).toBe(cause);
  });

  it('is recognised by its guards, and other values are not', () => {
    expect(isBulwarkError(new ExampleError())).toBe(true);
    expect(isExampleError(new ExampleError())).toBe(true);
    expect(isExampleError(new BulwarkError('OTHER', 'other'))).toBe(false);
    expect(isBulwarkError(Object.assign(new Error('look-alike'), { code: 'EXAMPLE' }))).toBe(false);
    expect(isBulwarkError(null)).toBe(false);
    expect(isBulwarkError('EXAMPLE')).toBe(false);
  });

  it('is recognised across two loaded copies of the package, where instanceof fails', async () => {
    const copy = (await import(
      // @ts-expect-error: the query string makes the loader evaluate a second, independent copy.
      '../../src/core/errors.js?second-copy'
    )) as typeof import('../../src/core/errors.js');
    expect(copy.BulwarkError).not.toBe(BulwarkError);
    const foreign = new copy.BulwarkError('EXAMPLE', 'from the other copy');
    expect(foreign instanceof BulwarkError).toBe(false);
    expect(isBulwarkError(foreign)).toBe(true);
    expect(isExampleError(foreign)).toBe(true);
    expect(copy.isBulwarkError(new ExampleError())).toBe(true);
  });
});

describe('withoutStackTrace', () => {
  it('builds the error without stack frames and restores the stack trace limit', () => {
    const limit = Error.stackTraceLimit;
    const error = withoutStackTrace(() => new ExampleError());
    expect(error.stack?.split('\n').filter((line) => line.trim().startsWith('at '))).toEqual([]);
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new ExampleError().stack).toContain('at ');
  });
});
