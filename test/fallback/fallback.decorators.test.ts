import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { getResilienceMetadata } from '../../src/core/index.js';
import { FallbackPolicy, withFallback } from '../../src/fallback/index.js';

describe('withFallback as a decorator', () => {
  it('behaves as the policy object and the higher-order function do', async () => {
    const fetchPrices = async (fail: boolean) => {
      if (fail) throw new Error('down');
      return [1, 2];
    };
    const policy = new FallbackPolicy<number[]>([]);
    const hof = withFallback<number[]>([])(fetchPrices);
    class Pricing {
      readonly currency = 'EUR';
      @withFallback([])
      async prices(fail: boolean): Promise<number[]> {
        expect(this.currency).toBe('EUR');
        return fetchPrices(fail);
      }
    }
    const pricing = new Pricing();
    for (const fail of [false, true]) {
      const expected = fail ? [] : [1, 2];
      await expect(policy.execute(() => fetchPrices(fail))).resolves.toEqual(expected);
      await expect(hof(fail)).resolves.toEqual(expected);
      await expect(pricing.prices(fail)).resolves.toEqual(expected);
    }
    expect(getResilienceMetadata(Pricing).methods.prices?.[0]).toMatchObject({
      policy: 'fallback',
      options: { fallback: [] },
    });
  });

  it('keeps a decorated sync method sync', () => {
    class Parser {
      @withFallback(0)
      parse(text: string): number {
        const value = Number.parseInt(text, 10);
        if (Number.isNaN(value)) throw new SyntaxError(text);
        return value;
      }
    }
    expect(new Parser().parse('12')).toBe(12);
    expect(new Parser().parse('x')).toBe(0);
  });
});
