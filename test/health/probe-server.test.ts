import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HealthChecker, healthHandler } from '../../src/health/index.js';
import { type MetricsCallbacks, setMetricsCallbacks } from '../../src/metrics/index.js';
import { createMetricsCallbacks } from '../../src/prometheus/index.js';
import { FakeBreaker } from './fake-breaker.js';

const secret = 'ECONNREFUSED 127.0.0.1:5433 user=admin';

describe('health and metrics endpoints over node:http', () => {
  const registry = new Registry();
  let callbacks: MetricsCallbacks;
  let server: Server;
  let base: string;
  let databaseUp = true;
  const databaseCheck = vi.fn(() => {
    if (!databaseUp) throw new Error(secret);
  });
  const breaker = new FakeBreaker('payments');
  let health: HealthChecker;

  beforeAll(async () => {
    callbacks = createMetricsCallbacks({ namespace: 'shop', registry });
    setMetricsCallbacks(callbacks);
    health = new HealthChecker({ name: 'shop', failureThreshold: 1, cacheTtlMs: 60_000 });
    health.registerCheck('event-loop', () => true, { kind: 'liveness' });
    health.registerCheck('postgres', databaseCheck);
    health.registerCircuitBreaker(breaker);
    const routes: Record<string, (req: never, res: never) => void> = {
      '/livez': healthHandler(health, { kind: 'liveness' }),
      '/readyz': healthHandler(health, { kind: 'readiness' }),
    };
    server = createServer(async (req, res) => {
      const route = routes[req.url ?? ''];
      if (route !== undefined) return route(req as never, res as never);
      if (req.url === '/metrics') {
        res.setHeader('content-type', registry.contentType);
        return res.end(await registry.metrics());
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    setMetricsCallbacks(undefined);
    health.dispose();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers a liveness probe with 200 and an application/health+json body', async () => {
    const response = await fetch(`${base}/livez`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/health+json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as any;
    expect(body).toEqual({
      status: 'pass',
      checks: {
        'event-loop:responseTime': [
          { status: 'pass', observedValue: expect.any(Number), observedUnit: 'ms', time: expect.any(String) },
        ],
      },
    });
    expect(new Date(body.checks['event-loop:responseTime'][0].time).toISOString()).toBe(
      body.checks['event-loop:responseTime'][0].time,
    );
  });

  it('answers a readiness probe with every dependency keyed component:measurement', async () => {
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'pass',
      checks: {
        'postgres:responseTime': [expect.objectContaining({ status: 'pass', observedUnit: 'ms' })],
        'payments:circuitState': [{ status: 'pass', observedValue: 'closed', time: expect.any(String) }],
      },
    });
  });

  it('serves a probe storm from one run of each check', async () => {
    databaseCheck.mockClear();
    await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}/readyz`).then((r) => r.arrayBuffer())));
    expect(databaseCheck.mock.calls.length).toBeLessThanOrEqual(1);
  });

  it('warns, still with 200, when a non-critical breaker opens', async () => {
    breaker.moveTo('open');
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as any;
    expect(body.status).toBe('warn');
    expect(body.checks['payments:circuitState']).toEqual([
      { status: 'warn', observedValue: 'open', time: expect.any(String) },
    ]);
  });

  it('fails readiness with 503 when the database is down, hiding the error, while liveness stays 200', async () => {
    databaseUp = false;
    await health.checkAll();
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    const text = await ready.text();
    expect(text).not.toContain('ECONNREFUSED');
    expect(JSON.parse(text)).toMatchObject({
      status: 'fail',
      checks: { 'postgres:responseTime': [{ status: 'fail' }] },
    });
    expect((await fetch(`${base}/livez`)).status).toBe(200);
  });

  it('shows failure output only where details are allowed', async () => {
    const detailed = new HealthChecker({ name: 'detailed', failureThreshold: 1 });
    detailed.registerCheck('postgres', () => {
      throw new Error(secret);
    });
    const handler = healthHandler(detailed, { details: true });
    const local = createServer(handler);
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(local.address() as AddressInfo).port}/`);
      expect(response.status).toBe(503);
      expect(((await response.json()) as any).checks['postgres:responseTime'][0].output).toBe(secret);
    } finally {
      await new Promise((resolve) => local.close(resolve));
    }
  });

  it('answers HEAD without a body and refuses other methods with 405', async () => {
    const head = await fetch(`${base}/livez`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/health+json');
    expect(await head.text()).toBe('');
    const post = await fetch(`${base}/livez`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('exposes the metrics a scraper expects once policies have reported', async () => {
    callbacks.retryAttempt('charge', 1, 100);
    callbacks.retryExhausted('charge', 4);
    callbacks.timeoutOccurred('charge', 250);
    callbacks.callCompleted('timeout', 'charge', 'timeout', 250);
    callbacks.circuitBreakerStateChanged('payments', 'closed', 'open');
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    for (const line of [
      '# TYPE shop_circuit_breaker_state gauge',
      'shop_circuit_breaker_state{name="payments",state="open"} 1',
      'shop_circuit_breaker_state{name="payments",state="closed"} 0',
      'shop_circuit_breaker_state{name="payments",state="metrics_only"} 0',
      '# TYPE shop_circuit_breaker_transitions_total counter',
      'shop_circuit_breaker_transitions_total{name="payments",from="closed",to="open"} 1',
      'shop_retry_attempts_total{operation="charge"} 1',
      'shop_retry_exhausted_total{operation="charge"} 1',
      'shop_timeouts_total{operation="charge"} 1',
      'shop_calls_total{policy="timeout",name="charge",outcome="timeout"} 1',
      '# TYPE shop_call_duration_seconds histogram',
      'shop_call_duration_seconds_bucket{le="0.25",policy="timeout",name="charge",outcome="timeout"} 1',
      'shop_call_duration_seconds_bucket{le="0.1",policy="timeout",name="charge",outcome="timeout"} 0',
      'shop_call_duration_seconds_sum{policy="timeout",name="charge",outcome="timeout"} 0.25',
      'shop_health_status{name="postgres",status="unhealthy"} 1',
      'shop_health_status{name="postgres",status="healthy"} 0',
      'shop_health_status{name="shop",status="unhealthy"} 1',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).not.toContain('ECONNREFUSED');
    expect(text).not.toContain('process_cpu');
  });
});
