import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BackoffStrategy, RetryPolicy } from '../../src/retry/index.js';
import { VirtualClock } from '../../src/testing/index.js';

describe('backoff strategies', () => {
  it('exports the strategy names as a frozen object', () => {
    expect(BackoffStrategy).toEqual({
      EXPONENTIAL: 'exponential',
      LINEAR: 'linear',
      CONSTANT: 'constant',
      DECORRELATED: 'decorrelated',
    });
    expect(Object.isFrozen(BackoffStrategy)).toBe(true);
  });

  it('keeps every delay within its strategy bounds and under maxDelayMs (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('exponential', 'linear', 'constant', 'decorrelated'),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 12 }),
        async (strategy, baseDelayMs, extraMs, jitter, maxRetries) => {
          const maxDelayMs = baseDelayMs + extraMs;
          const clock = new VirtualClock();
          const delays: number[] = [];
          const result = new RetryPolicy({
            clock,
            strategy,
            baseDelayMs,
            maxDelayMs,
            jitter,
            maxRetries,
            onRetry: ({ delayMs }) => delays.push(delayMs),
          })
            .execute(() => {
              throw new Error('down');
            })
            .catch(() => undefined);
          await clock.advance(maxDelayMs * maxRetries + 1);
          await result;
          expect(delays).toHaveLength(maxRetries);
          let previous = baseDelayMs;
          delays.forEach((delay, index) => {
            const n = index + 1;
            expect(delay).toBeLessThanOrEqual(maxDelayMs);
            if (strategy === 'decorrelated') {
              const upper = Math.min(maxDelayMs, previous * 3);
              expect(delay).toBeLessThanOrEqual(upper);
              expect(delay).toBeGreaterThanOrEqual(Math.min(baseDelayMs, upper));
              if (!jitter) expect(delay).toBe(upper);
              previous = delay;
              return;
            }
            const formula = {
              exponential: baseDelayMs * 2 ** (n - 1),
              linear: baseDelayMs * n,
              constant: baseDelayMs,
            };
            const nominal = Math.min(maxDelayMs, formula[strategy]);
            if (jitter) {
              expect(delay).toBeGreaterThanOrEqual(nominal / 2);
              expect(delay).toBeLessThanOrEqual(nominal);
            } else expect(delay).toBe(nominal);
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
