import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { CircuitBreaker, CircuitState, isCircuitBreakerOpenError } from '../src/circuit-breaker/index.js';
import { RedisBreakerStateStore } from '../src/redis/index.js';

async function until(check: () => boolean): Promise<number> {
  const started = performance.now();
  while (!check()) await sleep(2);
  return performance.now() - started;
}

/**
 * Two checkout processes share one breaker for the payment provider through Redis: one sees
 * the provider fail and opens, the other follows; after the cooldown only one of them probes,
 * and its verdict closes both. Runs only when BULWARK_REDIS_URL points at a Redis.
 */
export async function demoRedis(log: (line: string) => void): Promise<void> {
  const url = process.env.BULWARK_REDIS_URL;
  if (url === undefined || url === '') {
    log('skipped: set BULWARK_REDIS_URL (e.g. redis://127.0.0.1:6379) to run the shared-state demo');
    return;
  }
  const keyPrefix = `bulwark-demo:${randomUUID()}:`;
  // Two stores with their own connections stand for two processes.
  const stores = [
    new RedisBreakerStateStore({ url, keyPrefix }),
    new RedisBreakerStateStore({ url, keyPrefix }),
  ] as const;
  try {
    const [one, two] = stores.map((stateStore, index) => {
      const breaker = new CircuitBreaker('payment-provider', {
        stateStore,
        failureThreshold: 3,
        successThreshold: 1,
        cooldownMs: 300,
      });
      breaker.onStateChange(({ from, to, reason }) =>
        log(`  checkout-${index + 1}: ${from} → ${to} (${reason})`),
      );
      return breaker;
    }) as [CircuitBreaker, CircuitBreaker];
    await until(() => stores.every((store) => store.connected));

    log('checkout-1: the payment provider starts failing');
    for (let call = 1; call <= 3; call++) {
      await one
        .execute(() => Promise.reject(new Error('provider answered 503')))
        .catch((error: Error) => log(`  checkout-1 call ${call} failed: ${error.message}`));
    }
    const seenAfterMs = await until(() => two.state === CircuitState.OPEN);
    log(`checkout-2 sees the open ${seenAfterMs.toFixed(0)} ms later, without a failure of its own`);
    const refused = await two.execute(() => 'charged').catch((error: unknown) => error);
    if (isCircuitBreakerOpenError(refused)) {
      log(`  checkout-2 fails fast: retry after ${Math.round(refused.retryAfterMs)} ms`);
    }
    // checkout-1 flushes its counts, then checkout-2 reads the sum.
    await stores[0].sync();
    await stores[1].sync();
    const { aggregate } = two.getStatus().sharedState ?? {};
    log(`  counted across both processes: ${aggregate?.calls} calls, ${aggregate?.failures} failures`);

    log('the provider recovers; the cooldown elapses and both processes want to probe');
    await sleep(310);
    const holdsLease = (breaker: CircuitBreaker) => breaker.getStatus().sharedState?.holdsTrialLease === true;
    one.canExecute();
    two.canExecute();
    await until(() => holdsLease(one) || holdsLease(two));
    const [prober, waiter] = holdsLease(one) ? [one, two] : [two, one];
    const proberName = prober === one ? 'checkout-1' : 'checkout-2';
    const waiterName = waiter === one ? 'checkout-1' : 'checkout-2';
    log(`${proberName} holds the trial lease; ${waiterName} may not probe: ${waiter.canExecute()}`);
    log(`  ${proberName} trial call: ${await prober.execute(() => 'charged')}`);
    const closedAfterMs = await until(() => waiter.state === CircuitState.CLOSED);
    log(`${waiterName} closes ${closedAfterMs.toFixed(0)} ms later, on ${proberName}'s verdict`);
    const keys = await stores[0].client.keys(`${keyPrefix}*`);
    if (keys.length > 0) await stores[0].client.del(...keys);
  } finally {
    await Promise.all(stores.map((store) => store.stop()));
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await demoRedis((line) => console.log(line));
}
