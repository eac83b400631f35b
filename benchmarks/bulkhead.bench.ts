import { bulkhead as cockatielBulkhead } from 'cockatiel';
import { AdaptiveConcurrencyLimiter } from '../src/adaptive-concurrency/index.js';
import { Bulkhead } from '../src/bulkhead/index.js';
import { HedgePolicy } from '../src/hedge/index.js';
import { RateLimiter } from '../src/rate-limit/index.js';
import { type BenchSuite, nsPerCall } from './harness.js';

const succeed = async (): Promise<number> => 1;
const bulkhead = new Bulkhead({ maxConcurrent: 10, maxQueue: 10 });
const cockatiel = cockatielBulkhead(10, 10);
// A limit far above the benchmark's rate, so every call finds a token.
const limiter = new RateLimiter({ limitForPeriod: 1_000_000_000, periodMs: 1 });
const hedge = new HedgePolicy({ delayMs: 1000 });
const adaptive = new AdaptiveConcurrencyLimiter({ algorithm: 'gradient2' });

// mitata's first measurements in a process run slow (the optimising compiler is still
// busy); one throwaway measurement keeps that off the baseline row.
await nsPerCall(async () => await bulkhead.execute(succeed));

export const suites: readonly BenchSuite[] = [
  {
    title: 'Concurrency policies (success path, a slot or token is free)',
    unit: 'ns/op',
    goal: 'bulwark Bulkhead ≤ 2× a bare `await fn()`',
    rows: [
      { name: 'bare await fn()', measure: () => nsPerCall(async () => await succeed()) },
      { name: 'bulwark Bulkhead', measure: () => nsPerCall(async () => await bulkhead.execute(succeed)) },
      { name: 'cockatiel bulkhead', measure: () => nsPerCall(async () => await cockatiel.execute(succeed)) },
      { name: 'bulwark RateLimiter', measure: () => nsPerCall(async () => await limiter.execute(succeed)) },
      {
        name: 'bulwark AdaptiveConcurrencyLimiter (gradient2)',
        measure: () => nsPerCall(async () => await adaptive.execute(succeed)),
      },
      { name: 'bulwark HedgePolicy', measure: () => nsPerCall(async () => await hedge.execute(succeed)) },
    ],
  },
];
