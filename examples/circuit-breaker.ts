import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import {
  CircuitBreaker,
  CircuitBreakerRegistry,
  isCircuitBreakerOpenError,
  withCircuitBreaker,
} from '../src/circuit-breaker/index.js';

/**
 * An inventory service goes down and comes back: the breaker opens after five failures,
 * fails fast while it cools down, lets trial calls through, and closes again.
 */
export async function demoCircuitBreaker(log: (line: string) => void): Promise<void> {
  let inventoryUp = true;
  const fetchStock = async (sku: string): Promise<number> => {
    if (!inventoryUp) throw new Error(`inventory unreachable while asking for ${sku}`);
    return 42;
  };

  // Default thresholds (5 consecutive failures open, 3 trial successes close); a short cooldown for the demo.
  const breaker = new CircuitBreaker('inventory', { cooldownMs: 200 });
  breaker.onStateChange(({ from, to, reason }) => log(`  state ${from} → ${to} (${reason})`));

  log(`stock of apples: ${await breaker.execute(() => fetchStock('apple'))}`);

  log('the inventory service goes down');
  inventoryUp = false;
  for (let attempt = 1; attempt <= 5; attempt++) {
    await breaker
      .execute(() => fetchStock('apple'))
      .catch((error: Error) => log(`  call ${attempt} failed: ${error.message}`));
  }

  const started = performance.now();
  const refused = await breaker.execute(() => fetchStock('apple')).catch((error: unknown) => error);
  if (isCircuitBreakerOpenError(refused)) {
    log(
      `  failing fast in ${(performance.now() - started).toFixed(2)} ms: retry after ${Math.round(refused.retryAfterMs)} ms`,
    );
  }

  log('the inventory service recovers; the cooldown elapses');
  inventoryUp = true;
  await sleep(210);
  for (let trial = 1; trial <= 3; trial++) {
    log(`  trial ${trial}: stock ${await breaker.execute(() => fetchStock('pear'))}`);
  }
  const { calls, failures, rejections, trips } = breaker.getMetrics();
  log(`metrics: ${calls} calls, ${failures} failures, ${rejections} rejected, ${trips} trip`);

  // The same rules as a decorator over a named breaker, answering with a fallback while open.
  const registry = new CircuitBreakerRegistry();
  class Catalog {
    @withCircuitBreaker({ name: 'recommendations', registry, failureThreshold: 2, fallback: [] })
    async recommendations(userId: string): Promise<string[]> {
      throw new Error(`recommendation engine timed out for ${userId}`);
    }
  }
  const catalog = new Catalog();
  for (let call = 1; call <= 3; call++) {
    const items = await catalog.recommendations('ada');
    log(
      `recommendations call ${call}: ${JSON.stringify(items)} (breaker ${registry.get('recommendations')?.state})`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await demoCircuitBreaker((line) => console.log(line));
}
