/**
 * A small online shop survives a bad afternoon: every chapter runs on embedded defaults
 * and prints what happened. Run with `npm run demo`.
 */
import { demoCascade } from './cascade.js';
import { demoCircuitBreaker } from './circuit-breaker.js';
import { demoConcurrency } from './concurrency.js';
import { demoEventSourcing } from './event-sourcing.js';
import { demoFaces } from './faces.js';
import { demoHealthMetrics } from './health-metrics.js';
import { demoObservability } from './observability.js';
import { demoRedis } from './redis.js';
import { demoRetryTimeout } from './retry-timeout.js';
import { demoSupervision } from './supervision.js';

type Chapter = readonly [title: string, run: (log: (line: string) => void) => Promise<void>];

const chapters: readonly Chapter[] = [
  ['One policy, three faces', demoFaces],
  ['The inventory service goes down: a circuit breaker opens, fails fast and recovers', demoCircuitBreaker],
  ['A flaky courier API: retry with backoff and budgets, timeouts that cancel work', demoRetryTimeout],
  ['Black Friday: bulkheads, rate limits, hedging and adaptive concurrency', demoConcurrency],
  ['What the probes and the scraper see: health checks and Prometheus metrics', demoHealthMetrics],
  ['The order pipeline as a supervision tree: crashes, a restart storm, a relocation', demoSupervision],
  ['Watching and steering the live system: hotspots, a paused actor, a secured dashboard', demoObservability],
  ['One bad actor must not take the rest down: anomalies, quarantine and consensus', demoCascade],
  ['A wallet that remembers: events on disk, a lost process, a restore and a replay', demoEventSourcing],
  ['Outgrowing one machine: breakers that share their state through Redis', demoRedis],
];

const started = performance.now();
for (const [index, [title, run]] of chapters.entries()) {
  console.log(`\n${index + 1}. ${title}`);
  await run((line) => console.log(`   ${line}`));
}
console.log(`\nDone in ${Math.round(performance.now() - started)} ms.`);
