import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isRetryExhaustedError,
  RetryBudget,
  type RetryBudgetConfig,
  RetryPolicy,
} from '../../src/retry/index.js';
import { VirtualClock } from '../../src/testing/index.js';

describe('RetryBudget', () => {
  it('holds a reserve of minRetriesPerSecond × window seconds, 100 retries by default', () => {
    const budget = new RetryBudget({ clock: new VirtualClock() });
    expect(budget.ratio).toBe(0.2);
    expect(budget.minRetriesPerSecond).toBe(10);
    expect(budget.windowMs).toBe(10_000);
    let granted = 0;
    while (budget.tryRetry()) granted++;
    expect(granted).toBe(100);
    expect(budget.getStats()).toEqual({ calls: 0, retries: 100, available: 0 });
  });

  it('earns ratio of a retry for every call', () => {
    const budget = new RetryBudget({ clock: new VirtualClock(), minRetriesPerSecond: 0, ratio: 0.25 });
    expect(budget.tryRetry()).toBe(false);
    for (let call = 0; call < 8; call++) budget.recordCall();
    expect(budget.getStats().available).toBe(2);
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
  });

  it('forgets calls and retries once they leave the sliding window', async () => {
    const clock = new VirtualClock();
    const budget = new RetryBudget({ clock, minRetriesPerSecond: 1, windowMs: 1000, ratio: 0 });
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    await clock.advance(500);
    expect(budget.tryRetry()).toBe(false);
    await clock.advance(500);
    expect(budget.tryRetry()).toBe(true);
    await clock.advance(5000);
    expect(budget.getStats()).toEqual({ calls: 0, retries: 0, available: 1 });
  });

  it('grants a retry exactly when reserve + ratio × calls - retries >= 1 (model check)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.constantFrom('call', 'retry'), { maxLength: 200 }),
        (ratio, minRetriesPerSecond, operations) => {
          const budget = new RetryBudget({
            clock: new VirtualClock(),
            ratio,
            minRetriesPerSecond,
            windowMs: 1000,
          });
          let calls = 0;
          let retries = 0;
          for (const operation of operations) {
            if (operation === 'call') {
              budget.recordCall();
              calls++;
              continue;
            }
            const expected = minRetriesPerSecond + ratio * calls - retries >= 1;
            expect(budget.tryRetry()).toBe(expected);
            if (expected) retries++;
          }
          expect(budget.getStats()).toMatchObject({ calls, retries });
        },
      ),
    );
  });

  it('rejects invalid options naming the field', () => {
    expect(() => new RetryBudget({ ratio: -0.1 })).toThrow(/RetryBudgetConfig\.ratio/);
    expect(() => new RetryBudget({ windowMs: 0 })).toThrow(RangeError);
    expect(() => new RetryBudget({ minRetriesPerSec: 5 } as RetryBudgetConfig)).toThrow(
      /no option "minRetriesPerSec"/,
    );
  });
});

describe('RetryBudget shared by retry policies', () => {
  it('rethrows the last error when the budget refuses a retry', async () => {
    const clock = new VirtualClock();
    const budget = new RetryBudget({ clock, minRetriesPerSecond: 0, ratio: 0 });
    const error = new Error('down');
    let calls = 0;
    const result = new RetryPolicy({ clock, budget }).execute(() => {
      calls++;
      throw error;
    });
    await expect(result).rejects.toBe(error);
    expect(calls).toBe(1);
  });

  it('keeps retries from multiplying load during an outage', async () => {
    async function outage(budget: RetryBudget | undefined, clock: VirtualClock) {
      const config = { clock, maxRetries: 3, baseDelayMs: 10, jitter: false, ...(budget ? { budget } : {}) };
      const policies = [new RetryPolicy(config), new RetryPolicy(config)];
      let attempts = 0;
      const outcomes: Promise<unknown>[] = [];
      // 100 calls a second for ten seconds, against a dependency that always fails.
      for (let call = 0; call < 1000; call++) {
        const policy = policies[call % 2]!;
        outcomes.push(
          policy
            .execute(() => {
              attempts++;
              throw new Error('dependency down');
            })
            .catch((error: unknown) => error),
        );
        await clock.advance(10);
      }
      await clock.advance(1000);
      return { attempts, errors: await Promise.all(outcomes) };
    }

    const unbudgeted = await outage(undefined, new VirtualClock());
    expect(unbudgeted.attempts).toBe(4000);

    const clock = new VirtualClock();
    const budget = new RetryBudget({ clock });
    const budgeted = await outage(budget, clock);
    // 20% extra load plus the reserve of 100 retries per 10 s window; the 11 s run spans two windows.
    expect(budgeted.attempts).toBeLessThanOrEqual(1000 * 1.2 + 2 * 100);
    expect(budgeted.attempts).toBeGreaterThan(1000);
    const refused = budgeted.errors.filter((error) => !isRetryExhaustedError(error));
    expect(refused.length).toBeGreaterThan(900);
    expect(refused.every((error) => (error as Error).message === 'dependency down')).toBe(true);
  });
});
