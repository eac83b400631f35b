import { CircuitBreaker } from '../src/circuit-breaker/index.js';
import { RedisBreakerStateStore } from '../src/redis/index.js';
import { type BenchSuite, nsPerCall } from './harness.js';

// Needs a Redis; without BULWARK_REDIS_URL this file measures nothing.
const url = process.env.BULWARK_REDIS_URL;
const succeed = async (): Promise<number> => 1;
const config = { slowCallDurationMs: Number.POSITIVE_INFINITY };

// The store lives only while its row is measured, so the benchmark process can exit.
async function withStore<T>(measure: (store: RedisBreakerStateStore) => Promise<T>): Promise<T> {
  const store = new RedisBreakerStateStore({
    url: url as string,
    keyPrefix: `bulwark-bench:${process.pid}:`,
  });
  try {
    while (!store.connected) await new Promise((resolve) => setTimeout(resolve, 5));
    return await measure(store);
  } finally {
    const keys = await store.client.keys(`bulwark-bench:${process.pid}:*`);
    if (keys.length > 0) await store.client.del(...keys);
    await store.stop();
  }
}

const local = new CircuitBreaker('bench-redis-local', config);

// Median time for an open decided through one store to reach a breaker on another connection.
async function openPropagationMs(): Promise<number> {
  const second = new RedisBreakerStateStore({
    url: url as string,
    keyPrefix: `bulwark-bench:${process.pid}:`,
  });
  try {
    return await withStore(async (first) => {
      while (!second.connected) await new Promise((resolve) => setTimeout(resolve, 5));
      const samples: number[] = [];
      for (let round = 0; round < 20; round++) {
        const name = `bench-redis-propagation-${round}`;
        const opener = new CircuitBreaker(name, { failureThreshold: 1, stateStore: first });
        const watcher = new CircuitBreaker(name, { failureThreshold: 1, stateStore: second });
        await new Promise((resolve) => setTimeout(resolve, 60));
        const startedAt = performance.now();
        opener.recordFailure(new Error('down'));
        while (watcher.state !== 'open') await new Promise((resolve) => setTimeout(resolve, 1));
        samples.push(performance.now() - startedAt);
      }
      return samples.sort((a, b) => a - b)[samples.length >> 1]!;
    });
  } finally {
    await second.stop();
  }
}

export const suites: readonly BenchSuite[] =
  url === undefined
    ? []
    : [
        {
          title: 'Circuit breaker with shared state: closed, successful call',
          unit: 'ns/op',
          goal: 'a breaker sharing state through Redis costs the same as a local one on the closed path',
          rows: [
            { name: 'bare await fn()', measure: () => nsPerCall(() => succeed()) },
            { name: 'bulwark, local state', measure: () => nsPerCall(() => local.execute(succeed)) },
            {
              name: 'bulwark, RedisBreakerStateStore',
              measure: () =>
                withStore((stateStore) => {
                  const shared = new CircuitBreaker('bench-redis-shared', { ...config, stateStore });
                  return nsPerCall(() => shared.execute(succeed));
                }),
            },
          ],
        },
        {
          title: 'Circuit breaker with shared state: an open reaching another connection (median of 20)',
          unit: 'ms',
          rounds: 1,
          goal: 'an open decided by one process is seen by the others within 100 ms',
          rows: [{ name: 'RedisBreakerStateStore, default sync interval', measure: openPropagationMs }],
        },
      ];
