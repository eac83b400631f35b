// Run as a child process by exits-by-itself.test.ts: uses every policy once, through the
// package's public entry points, then prints what it got and must exit without help.
import {
  AdaptiveConcurrencyLimiter,
  Bulkhead,
  CircuitBreaker,
  FallbackPolicy,
  HealthChecker,
  HedgePolicy,
  pipeline,
  RateLimiter,
  RetryPolicy,
  TimeoutPolicy,
} from '../../src/index.js';
import { injectLatency } from '../../src/testing/index.js';

const results: Record<string, unknown> = {};
let flaky = 0;
results.retry = await new RetryPolicy({ baseDelayMs: 5 }).execute(() =>
  ++flaky < 2 ? Promise.reject(new Error('flaky')) : flaky,
);
results.timeout = await new TimeoutPolicy({ ms: 10, fallback: 'timed out' }).execute(
  () => new Promise(() => undefined),
);
results.breaker = await new CircuitBreaker('exit-check', { timeoutMs: 60_000 }).execute(async () => 'closed');
const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 60_000 });
results.bulkhead = (
  await Promise.all([bulkhead.execute(async () => 1), bulkhead.execute(async () => 2)])
).join('+');
results.fallback = await new FallbackPolicy('fallback').execute(() => Promise.reject(new Error('down')));
const limiter = new RateLimiter({ limitForPeriod: 1, periodMs: 20, timeoutMs: 1_000 });
results.rateLimit = (
  await Promise.all([limiter.execute(async () => 'a'), limiter.execute(async () => 'b')])
).join('');
results.hedge = await new HedgePolicy({ delayMs: 5 }).execute(({ attempt }) =>
  attempt === 1 ? new Promise(() => undefined) : Promise.resolve('hedged'),
);
results.adaptive = await new AdaptiveConcurrencyLimiter({ algorithm: 'gradient2' }).execute(
  async () => 'limited',
);
results.pipeline = await pipeline(
  new RetryPolicy({ maxRetries: 1 }),
  injectLatency({ rate: 1, ms: 5 }),
).execute(() => 'slow');
const health = new HealthChecker({ name: 'exit-check', checkIntervalMs: 60_000 });
health.registerCheck('self', () => true, { kind: 'liveness' });
health.start();
results.health = (await health.checkAll()).status;
console.log(JSON.stringify(results));
