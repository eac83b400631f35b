import 'reflect-metadata';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Bulkhead, withBulkhead } from '../../src/bulkhead/index.js';
import { getResilienceMetadata } from '../../src/core/index.js';

/** Runs three overlapping calls through `call` and reports how each ended. */
async function overlap(call: () => Promise<string>) {
  return (await Promise.allSettled([call(), call(), call()])).map((result) =>
    result.status === 'fulfilled' ? result.value : (result.reason as { code: string }).code,
  );
}

describe('withBulkhead as a decorator', () => {
  it('behaves as the policy object and the higher-order function do', async () => {
    const work = () => new Promise<string>((resolve) => setTimeout(() => resolve('done'), 1));
    const policy = new Bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const hof = withBulkhead({ maxConcurrent: 1, maxQueue: 1 })(work);
    class Service {
      @withBulkhead({ maxConcurrent: 1, maxQueue: 1 })
      async work(): Promise<string> {
        return work();
      }
    }
    const service = new Service();
    const expected = ['done', 'done', 'BULKHEAD_FULL'];
    expect(await overlap(() => policy.execute(work))).toEqual(expected);
    expect(await overlap(hof)).toEqual(expected);
    expect(await overlap(() => service.work())).toEqual(expected);
  });

  it('keeps this and the arguments, shares one bulkhead across instances and records metadata', async () => {
    class Reports {
      constructor(readonly prefix: string) {}
      @withBulkhead({ maxConcurrent: 1, name: 'reports' })
      async render(id: number): Promise<string> {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return `${this.prefix}-${id}`;
      }
    }
    const a = new Reports('a');
    const b = new Reports('b');
    expectTypeOf(a.render).toEqualTypeOf<(id: number) => Promise<string>>();
    const [first, second] = await Promise.allSettled([a.render(1), b.render(2)]);
    expect(first).toEqual({ status: 'fulfilled', value: 'a-1' });
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'BULKHEAD_FULL' } });
    expect(getResilienceMetadata(Reports).methods.render).toEqual([
      { policy: 'bulkhead', options: { maxConcurrent: 1, name: 'reports' } },
    ]);
  });
});
