import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { pipeline, run } from '../../src/core/index.js';
import { FallbackPolicy, withFallback } from '../../src/fallback/index.js';
import { setMetricsCallbacks } from '../../src/metrics/index.js';

class NotFound extends Error {}

let restoreMetrics: { dispose(): void } | undefined;
afterEach(() => restoreMetrics?.dispose());

describe('FallbackPolicy', () => {
  it('returns the result of a call that succeeds, synchronously for a sync function', async () => {
    const policy = new FallbackPolicy('fallback');
    expect(run(policy, () => 'live')).toBe('live');
    await expect(policy.execute(async () => 'live')).resolves.toBe('live');
  });

  it('answers with the fallback value when the call throws or rejects', async () => {
    const policy = new FallbackPolicy('fallback');
    expect(
      run(policy, () => {
        throw new Error('sync');
      }),
    ).toBe('fallback');
    await expect(policy.execute(() => Promise.reject(new Error('async')))).resolves.toBe('fallback');
  });

  it('calls a fallback function with the error', async () => {
    const boom = new Error('boom');
    const policy = new FallbackPolicy((error: unknown) => `recovered from ${(error as Error).message}`);
    await expect(policy.execute(() => Promise.reject(boom))).resolves.toBe('recovered from boom');
    const asyncFallback = new FallbackPolicy(async () => 'later');
    await expect(asyncFallback.execute(() => Promise.reject(boom))).resolves.toBe('later');
  });

  it('rethrows errors that `on` does not accept, unchanged', async () => {
    const policy = new FallbackPolicy([], { on: (error) => error instanceof NotFound });
    await expect(policy.execute(() => Promise.reject(new NotFound()))).resolves.toEqual([]);
    const other = new TypeError('bug');
    await expect(policy.execute(() => Promise.reject(other))).rejects.toBe(other);
  });

  it('rejects with the fallback function’s own error when it fails', async () => {
    const failure = new Error('fallback failed too');
    const policy = new FallbackPolicy(() => {
      throw failure;
    });
    await expect(policy.execute(() => Promise.reject(new Error('first')))).rejects.toBe(failure);
  });

  it('does not paper over a call the caller cancelled', async () => {
    const policy = new FallbackPolicy('fallback');
    const controller = new AbortController();
    const reason = new Error('cancelled');
    const call = policy.execute(
      ({ signal }) =>
        new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      controller.signal,
    );
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });

  it('recovers the failures of the policies inside it in a pipeline', async () => {
    const failing = { execute: () => Promise.reject(new Error('inner policy failed')) };
    await expect(pipeline(new FallbackPolicy('safe'), failing).execute(() => 'never')).resolves.toBe('safe');
  });

  it('reports each fallback through the metrics callbacks', async () => {
    const completed: string[] = [];
    restoreMetrics = setMetricsCallbacks({
      callCompleted: (policy, name, outcome) => completed.push(`${policy}/${name}/${outcome}`),
    });
    const policy = new FallbackPolicy(0, { name: 'prices' });
    await policy.execute(() => 1);
    await policy.execute(() => Promise.reject(new Error('x')));
    expect(completed).toEqual(['fallback/prices/fallback']);
  });

  it('rejects invalid options naming the field', () => {
    expect(() => new FallbackPolicy(0, { on: true } as never)).toThrow(
      /FallbackOptions\.on must be a function/,
    );
    expect(() => new FallbackPolicy(0, { onError: () => true } as never)).toThrow(/no option "onError"/);
  });
});

describe('withFallback', () => {
  it('keeps a sync function sync and an async one async', async () => {
    const sync = withFallback(-1)((n: number) => {
      if (n < 0) throw new RangeError('negative');
      return Math.sqrt(n);
    });
    expectTypeOf(sync).toEqualTypeOf<(n: number) => number>();
    expect(sync(9)).toBe(3);
    expect(sync(-9)).toBe(-1);
    const later = withFallback('cached', { on: (error) => error instanceof NotFound })(async (id: string) => {
      if (id === 'missing') throw new NotFound();
      return id;
    });
    expectTypeOf(later).toEqualTypeOf<(id: string) => Promise<string>>();
    await expect(later('missing')).resolves.toBe('cached');
    await expect(later('here')).resolves.toBe('here');
  });

  it('appends the call signal when passSignal is true', () => {
    const withSignal = withFallback(false, { passSignal: true })(
      (signal: AbortSignal) => signal instanceof AbortSignal,
    );
    expectTypeOf(withSignal).toEqualTypeOf<() => boolean>();
    expect(withSignal()).toBe(true);
  });
});
