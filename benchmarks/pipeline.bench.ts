import {
  ConsecutiveBreaker,
  circuitBreaker,
  retry as cockatielRetry,
  timeout as cockatielTimeout,
  ExponentialBackoff,
  handleAll,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { CircuitBreaker } from '../src/circuit-breaker/index.js';
import { FallbackPolicy } from '../src/fallback/index.js';
import { pipeline } from '../src/index.js';
import { RetryPolicy } from '../src/retry/index.js';
import { TimeoutPolicy } from '../src/timeout/index.js';
import { type BenchSuite, nsPerCall } from './harness.js';

const succeed = async (): Promise<number> => 1;
const bare = () => nsPerCall(async () => await succeed());

const empty = pipeline();
const fallback = new FallbackPolicy(0);
const resilient = pipeline(
  new RetryPolicy({ maxRetries: 3 }),
  new CircuitBreaker('bench-pipeline'),
  new TimeoutPolicy(1000),
);
const untimed = pipeline(
  new RetryPolicy({ maxRetries: 3 }),
  new CircuitBreaker('bench-pipeline-untimed', { slowCallDurationMs: Number.POSITIVE_INFINITY }),
  new TimeoutPolicy(1000),
);
const bounded = pipeline(
  new TimeoutPolicy(1000),
  new RetryPolicy({ maxRetries: 3 }),
  new CircuitBreaker('bench-pipeline-bounded'),
);
const cockatielResilient = wrap(
  cockatielRetry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() }),
  circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
  cockatielTimeout(1000, TimeoutStrategy.Aggressive),
);

export const suites: readonly BenchSuite[] = [
  {
    title: 'Composition (success path)',
    unit: 'ns/op',
    goal: '`pipeline(retry, breaker, timeout)` ≤ 4× a bare `await fn()`',
    rows: [
      { name: 'bare await fn()', measure: bare },
      {
        name: 'bulwark pipeline() with no policies',
        measure: () => nsPerCall(async () => await empty.execute(succeed)),
      },
      {
        name: 'bulwark FallbackPolicy',
        measure: () => nsPerCall(async () => await fallback.execute(succeed)),
      },
      {
        name: 'bulwark pipeline(retry, breaker, timeout)',
        measure: () => nsPerCall(async () => await resilient.execute(succeed)),
      },
      {
        name: 'bulwark pipeline(timeout, retry, breaker)',
        measure: () => nsPerCall(async () => await bounded.execute(succeed)),
      },
      {
        name: 'bulwark, the breaker with slowCallDurationMs: Infinity',
        measure: () => nsPerCall(async () => await untimed.execute(succeed)),
      },
      {
        name: 'cockatiel 3 wrap(retry, breaker, timeout)',
        measure: () => nsPerCall(async () => await cockatielResilient.execute(succeed)),
      },
    ],
  },
];
