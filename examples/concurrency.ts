import { pathToFileURL } from 'node:url';
import { AdaptiveConcurrencyLimiter } from '../src/adaptive-concurrency/index.js';
import { Bulkhead, isBulkheadRejectedError } from '../src/bulkhead/index.js';
import { BulwarkError, pipeline } from '../src/core/index.js';
import { FallbackPolicy } from '../src/fallback/index.js';
import { HedgePolicy } from '../src/hedge/index.js';
import { isRateLimitedError, RateLimiter } from '../src/rate-limit/index.js';
import { injectFault } from '../src/testing/index.js';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** A short story of a shop's back end keeping its dependencies in check. */
export async function demoConcurrency(log: (line: string) => void): Promise<void> {
  log('— Bulkhead: at most 2 invoice renders at once, 1 waiting');
  const renders = new Bulkhead({ maxConcurrent: 2, maxQueue: 1, name: 'invoices' });
  const render = (id: number) =>
    renders.execute(async () => {
      await sleep(20);
      return `invoice ${id}`;
    });
  const results = await Promise.allSettled([1, 2, 3, 4].map(render));
  for (const result of results) {
    log(
      result.status === 'fulfilled'
        ? `  rendered ${result.value}`
        : `  refused: ${isBulkheadRejectedError(result.reason) ? result.reason.code : String(result.reason)}`,
    );
  }
  log(`  stats: ${JSON.stringify(renders.getStats())}`);

  log('— RateLimiter: the SMS gateway takes 3 messages per second');
  const sms = new RateLimiter({ limitForPeriod: 3, periodMs: 1000, name: 'sms' });
  for (let message = 1; message <= 4; message++) {
    try {
      await sms.execute(async () => undefined);
      log(`  message ${message} sent`);
    } catch (error) {
      if (!isRateLimitedError(error)) throw error;
      log(`  message ${message} held back: ${error.code}, retry after ${error.retryAfterMs} ms`);
    }
  }

  log('— HedgePolicy: ask a second replica when the first is slow (30 ms)');
  const hedge = new HedgePolicy({ delayMs: 30 });
  const price = await hedge.execute(async ({ attempt, signal }) => {
    log(`  attempt ${attempt} sent to replica ${attempt}`);
    await sleep(attempt === 1 ? 500 : 10, signal).catch((reason: unknown) => {
      log(`  replica ${attempt} was told to stop: ${(reason as BulwarkError).code}`);
      throw reason;
    });
    return `9.99 EUR from replica ${attempt}`;
  });
  log(`  answer: ${price}`);

  log('— AdaptiveConcurrencyLimiter: the search service starts timing out');
  const search = new AdaptiveConcurrencyLimiter({ algorithm: 'aimd', name: 'search' });
  log(`  limit before: ${search.limit}`);
  for (let call = 0; call < 5; call++) {
    await search
      .execute(() => Promise.reject(new BulwarkError('TIMEOUT', 'search timed out')))
      .catch(() => undefined);
  }
  log(`  limit after 5 timeouts: ${search.limit}`);
  for (let round = 1; round <= 2; round++) {
    const answers = Array.from({ length: search.limit }, () => search.execute(() => sleep(5)));
    await Promise.all(answers);
    log(`  limit after a round of ${answers.length} quick answers: ${search.limit}`);
  }

  log('— injectFault: rehearse a recommendations outage behind a fallback');
  const recommendations = pipeline(new FallbackPolicy(['bestsellers']), injectFault({ rate: 1 }));
  log(`  shown: ${(await recommendations.execute(() => ['personal picks'])).join(', ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await demoConcurrency(console.log);
}
