import {
  retry as cockatielRetry,
  timeout as cockatielTimeout,
  ExponentialBackoff,
  handleAll,
  TimeoutStrategy,
} from 'cockatiel';
import pRetry from 'p-retry';
import pTimeout from 'p-timeout';
import { RetryPolicy } from '../src/retry/index.js';
import { TimeoutPolicy } from '../src/timeout/index.js';
import { type BenchSuite, nsPerCall } from './harness.js';

const succeed = async (): Promise<number> => 1;

const bare = () => nsPerCall(async () => await succeed());

const bulwarkRetry = new RetryPolicy({ maxRetries: 3 });
const cockatielRetryPolicy = cockatielRetry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() });

const bulwarkTimeout = new TimeoutPolicy(1000);
const cockatielTimeoutPolicy = cockatielTimeout(1000, TimeoutStrategy.Aggressive);

export const suites: readonly BenchSuite[] = [
  {
    title: 'Retry (success path)',
    unit: 'ns/op',
    goal: 'bulwark retry ≤ 1.5× a bare `await fn()`',
    rows: [
      { name: 'bare await fn()', measure: bare },
      {
        name: 'bulwark RetryPolicy.execute',
        measure: () => nsPerCall(async () => await bulwarkRetry.execute(succeed)),
      },
      { name: 'p-retry 7', measure: () => nsPerCall(async () => await pRetry(succeed, { retries: 3 })) },
      {
        name: 'cockatiel 3 retry',
        measure: () => nsPerCall(async () => await cockatielRetryPolicy.execute(succeed)),
      },
    ],
  },
  {
    title: 'Timeout (success path)',
    unit: 'ns/op',
    goal: 'bulwark timeout ≤ 3× a bare `await fn()`',
    rows: [
      { name: 'bare await fn()', measure: bare },
      {
        name: 'bulwark TimeoutPolicy.execute',
        measure: () => nsPerCall(async () => await bulwarkTimeout.execute(succeed)),
      },
      {
        name: 'bulwark, function reads ctx.signal',
        measure: () =>
          nsPerCall(
            async () => await bulwarkTimeout.execute(({ signal }) => (signal.aborted ? 0 : succeed())),
          ),
      },
      {
        name: 'p-timeout 7',
        measure: () => nsPerCall(async () => await pTimeout(succeed(), { milliseconds: 1000 })),
      },
      {
        name: 'cockatiel 3 timeout',
        measure: () => nsPerCall(async () => await cockatielTimeoutPolicy.execute(succeed)),
      },
    ],
  },
];
