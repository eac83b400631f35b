import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrencyLimiter } from '../../src/adaptive-concurrency/index.js';
import { Bulkhead, isBulkheadRejectedError } from '../../src/bulkhead/index.js';
import { pipeline } from '../../src/core/index.js';
import { FallbackPolicy } from '../../src/fallback/index.js';
import { HedgePolicy } from '../../src/hedge/index.js';
import { RateLimiter } from '../../src/rate-limit/index.js';
import { injectLatency, VirtualClock } from '../../src/testing/index.js';

describe('concurrency policies in a pipeline', () => {
  it('count every hedged attempt against an inner bulkhead', async () => {
    const clock = new VirtualClock();
    const bulkhead = new Bulkhead({ maxConcurrent: 2, clock });
    const hedged = pipeline(new HedgePolicy({ delayMs: 10, maxHedgedAttempts: 2, clock }), bulkhead);
    const attempts: number[] = [];
    const result = hedged
      .execute(({ attempt }) => {
        attempts.push(attempt);
        return new Promise((resolve) => clock.setTimeout(() => resolve(attempt), 100));
      })
      .catch((error: unknown) => error);
    await clock.advance(10);
    expect(bulkhead.getStats().active).toBe(2);
    // The third attempt finds the bulkhead full and fails; the two running ones continue.
    await clock.advance(10);
    expect(attempts).toEqual([1, 2]);
    expect(bulkhead.getStats().rejected).toBe(1);
    await clock.advance(80);
    await expect(result).resolves.toBe(1);
  });

  it('fall back when a rate limiter or an adaptive limiter refuses', async () => {
    const clock = new VirtualClock();
    const limited = pipeline(
      new FallbackPolicy('later', { on: (error) => (error as { code?: string }).code === 'RATE_LIMITED' }),
      new RateLimiter({ limitForPeriod: 1, periodMs: 1000, clock }),
    );
    await expect(limited.execute(() => 'now')).resolves.toBe('now');
    await expect(limited.execute(() => 'now')).resolves.toBe('later');

    const adaptive = pipeline(
      new FallbackPolicy('busy', { on: isBulkheadRejectedError }),
      new AdaptiveConcurrencyLimiter({ initialLimit: 1, maxLimit: 1, clock }),
    );
    const slow = adaptive.execute(() => new Promise((resolve) => clock.setTimeout(() => resolve('done'), 5)));
    await expect(adaptive.execute(() => 'second')).resolves.toBe('busy');
    await clock.advance(5);
    await expect(slow).resolves.toBe('done');
  });

  it('lets injected latency trigger a hedge', async () => {
    const clock = new VirtualClock();
    let call = 0;
    const chaos = injectLatency({ rate: 0.5, ms: 1000, clock, random: () => (call++ === 0 ? 0 : 0.99) });
    const hedged = pipeline(new HedgePolicy({ delayMs: 50, clock }), chaos);
    const result = hedged.execute(({ attempt }) => `attempt ${attempt}`);
    await clock.advance(50);
    await expect(result).resolves.toBe('attempt 2');
    expect(clock.pendingTimers).toBe(0);
  });

  it('leave nothing that keeps the process alive', async () => {
    const example = fileURLToPath(new URL('../../examples/concurrency.ts', import.meta.url));
    const started = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', example], {
      timeout: 20_000,
    });
    expect(stdout).toContain('shown: bestsellers');
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);
});
