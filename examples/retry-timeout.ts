import { pathToFileURL } from 'node:url';
import { pipeline } from '../src/core/index.js';
import { isRetryExhaustedError, RetryBudget, RetryPolicy, retry, withRetry } from '../src/retry/index.js';
import { isTimeoutError, TimeoutPolicy, withTimeout } from '../src/timeout/index.js';

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
const work = <T>(ms: number, value: T, signal?: AbortSignal) =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => resolve(value), ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

class CardDeclinedError extends Error {}

class Checkout {
  attempts = 0;

  // Methods keep their signature; the decorator retries them and names metrics `Checkout.reserveStock`.
  @withRetry({ maxRetries: 2, baseDelayMs: 10 })
  async reserveStock(sku: string): Promise<string> {
    this.attempts++;
    if (this.attempts === 1) throw new Error('inventory service restarting');
    return `reserved ${sku}`;
  }

  @withTimeout({ ms: 50, fallback: 'standard shipping (3-5 days)', passSignal: true })
  async shippingEstimate(postcode: string, signal?: AbortSignal): Promise<string> {
    return work(500, `express to ${postcode}`, signal);
  }
}

/** A checkout whose payment, stock and shipping services misbehave, kept on its feet by retry and timeout. */
export async function demoRetryTimeout(log: (line: string) => void): Promise<void> {
  log('— RetryPolicy on defaults (3 retries, exponential backoff from 100 ms, jittered)');
  const payments = new RetryPolicy({
    name: 'payments',
    onRetry: ({ attempt, delayMs, error }) =>
      log(`  retry ${attempt} in ${Math.round(delayMs)} ms after: ${(error as Error).message}`),
  });
  let charges = 0;
  const receipt = await payments.execute(({ attempt }) => {
    charges++;
    if (charges < 3) throw new Error('gateway 503');
    return `charged on attempt ${attempt}`;
  });
  log(`  ${receipt}`);

  log('— A declined card is not retried: retryIf says so, and the error comes back unchanged');
  const careful = new RetryPolicy({ retryIf: (error) => !(error instanceof CardDeclinedError) });
  await careful
    .execute(() => {
      throw new CardDeclinedError('card declined');
    })
    .catch((error: unknown) =>
      log(`  ${error instanceof CardDeclinedError ? 'CardDeclinedError' : 'other'}: at once`),
    );

  log('— When every attempt fails: RetryExhaustedError with the attempts and the last error');
  await retry(() => Promise.reject(new Error('gateway down')), { maxRetries: 2, baseDelayMs: 5 }).catch(
    (error: unknown) => {
      if (isRetryExhaustedError(error)) {
        log(`  ${error.code}: ${error.attempts} attempts, cause "${(error.cause as Error).message}"`);
      }
    },
  );

  log('— A RetryBudget shared by two policies: 40 calls into an outage make few retries');
  const budget = new RetryBudget({ ratio: 0.1, minRetriesPerSecond: 2 });
  const reads = new RetryPolicy({ budget, maxRetries: 3, baseDelayMs: 1 });
  const writes = new RetryPolicy({ budget, maxRetries: 3, baseDelayMs: 1 });
  let outageAttempts = 0;
  const outage = () => {
    outageAttempts++;
    return Promise.reject(new Error('database unreachable'));
  };
  await Promise.allSettled(
    Array.from({ length: 40 }, (_, call) => (call % 2 ? reads : writes).execute(outage)),
  );
  log(
    `  40 calls made ${outageAttempts} attempts (160 without the budget); ${JSON.stringify(budget.getStats())}`,
  );

  log('— The decorator: a method retried once, unchanged for its callers');
  const checkout = new Checkout();
  log(`  ${await checkout.reserveStock('mug-42')} after ${checkout.attempts} attempts`);

  log('— TimeoutPolicy: the call signal aborts at the deadline with the TimeoutError');
  const quotes = new TimeoutPolicy(30);
  await quotes
    .execute(({ signal }) => work(1000, 'quote', signal))
    .catch((error: unknown) =>
      log(`  ${isTimeoutError(error) ? `${error.code} after ${error.timeoutMs} ms` : error}`),
    );

  log('— withTimeout with a fallback and passSignal: a slow carrier gets a default answer');
  log(`  ${await checkout.shippingEstimate('75011')}`);

  log('— pipeline(retry, timeout): each attempt gets 20 ms, the second one is quick enough');
  const resilient = pipeline(new RetryPolicy({ maxRetries: 2, baseDelayMs: 5 }), new TimeoutPolicy(20));
  const answer = await resilient.execute(({ signal, attempt }) =>
    work(attempt === 1 ? 200 : 5, `answered on attempt ${attempt}`, signal),
  );
  log(`  ${answer}`);

  log('— The caller cancels during a backoff: the wait ends at once, no attempt follows');
  const controller = new AbortController();
  let cancelledAttempts = 0;
  const cancelled = new RetryPolicy({ baseDelayMs: 10_000 }).execute(() => {
    cancelledAttempts++;
    throw new Error('busy');
  }, controller.signal);
  setTimeout(() => controller.abort(new Error('customer closed the page')), 10);
  await cancelled.catch((error: unknown) =>
    log(`  rejected with "${(error as Error).message}" after ${cancelledAttempts} attempt`),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await demoRetryTimeout(console.log);
}
