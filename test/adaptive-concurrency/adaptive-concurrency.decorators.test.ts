import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrencyLimiter, withAdaptiveConcurrency } from '../../src/adaptive-concurrency/index.js';
import { getResilienceMetadata } from '../../src/core/index.js';

async function overlap(call: () => Promise<string>) {
  return (await Promise.allSettled([call(), call(), call()])).map((result) =>
    result.status === 'fulfilled' ? result.value : (result.reason as { code: string }).code,
  );
}

describe('withAdaptiveConcurrency as a decorator', () => {
  it('behaves as the policy object and the higher-order function do', async () => {
    const options = { initialLimit: 2, maxLimit: 2 };
    const work = () => new Promise<string>((resolve) => setTimeout(() => resolve('ok'), 1));
    const policy = new AdaptiveConcurrencyLimiter(options);
    const hof = withAdaptiveConcurrency(options)(work);
    class Search {
      readonly label = 'ok';
      @withAdaptiveConcurrency(options)
      async query(): Promise<string> {
        await work();
        return this.label;
      }
    }
    const expected = ['ok', 'ok', 'BULKHEAD_FULL'];
    expect(await overlap(() => policy.execute(work))).toEqual(expected);
    expect(await overlap(hof)).toEqual(expected);
    expect(await overlap(() => new Search().query())).toEqual(expected);
    expect(getResilienceMetadata(Search).methods.query?.[0]?.policy).toBe('adaptiveConcurrency');
  });
});
