import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { CircuitBreaker } from '../src/circuit-breaker/index.js';
import { HealthChecker, healthHandler } from '../src/health/index.js';
import { setMetricsCallbacks } from '../src/metrics/index.js';
import { createMetricsCallbacks } from '../src/prometheus/index.js';

/**
 * The shop's probes and scrape endpoint through a payment outage and a database outage:
 * Kubernetes would keep the process alive (liveness passes) but take it out of rotation
 * (readiness fails) while the database is down.
 */
export async function demoHealthMetrics(log: (line: string) => void): Promise<void> {
  const registry = new Registry();
  const metrics = setMetricsCallbacks(createMetricsCallbacks({ namespace: 'shop', registry }));
  const health = new HealthChecker({ name: 'shop', failureThreshold: 2, cacheTtlMs: 0 });
  let databaseUp = true;
  health.registerCheck('event-loop', () => true, { kind: 'liveness' });
  health.registerCheck('postgres', async () => {
    if (!databaseUp) throw new Error('connect ECONNREFUSED 127.0.0.1:5433');
  });
  const payments = new CircuitBreaker('payments', { failureThreshold: 2 });
  health.registerCircuitBreaker(payments);
  health.onStatusChange(({ from, to }) => log(`status change: ${from} → ${to}`));

  const livez = healthHandler(health, { kind: 'liveness' });
  const readyz = healthHandler(health, { kind: 'readiness' });
  const server = createServer(async (req, res) => {
    if (req.url === '/livez') return livez(req, res);
    if (req.url === '/readyz') return readyz(req, res);
    res.setHeader('content-type', registry.contentType);
    res.end(await registry.metrics());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const probe = async (path: string): Promise<void> => {
    const response = await fetch(`${base}${path}`);
    log(`GET ${path} → ${response.status} ${await response.text()}`);
  };

  try {
    log('All dependencies up:');
    await probe('/readyz');

    log('The payment gateway fails twice; its breaker opens (non-critical, so readiness only warns):');
    for (let call = 0; call < 2; call++) {
      await payments.execute(async () => Promise.reject(new Error('gateway 502'))).catch(() => undefined);
    }
    await probe('/readyz');

    log('The database goes down; after failureThreshold (2) failed checks readiness fails:');
    databaseUp = false;
    await probe('/readyz');
    await probe('/readyz');
    log('Liveness still passes, so the process is not restarted for a dependency outage:');
    await probe('/livez');

    log(`The checker's own report: ${JSON.stringify(await health.checkAll())}`);

    log('A few lines a Prometheus scraper reads from /metrics:');
    const exposition = await (await fetch(`${base}/metrics`)).text();
    for (const line of exposition.split('\n')) {
      if (
        /^shop_(circuit_breaker_state\{.*\} 1|circuit_breaker_transitions_total|health_status\{name="shop".*\} 1|calls_total)/.test(
          line,
        )
      ) {
        log(`  ${line}`);
      }
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
    health.dispose();
    metrics.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await demoHealthMetrics(console.log);
