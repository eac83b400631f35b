import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/circuit-breaker/index.js';
import { setMetricsCallbacks } from '../../src/metrics/index.js';
import { createMetricsCallbacks } from '../../src/prometheus/index.js';
import { RetryPolicy } from '../../src/retry/index.js';
import { TimeoutPolicy } from '../../src/timeout/index.js';

describe('/metrics after real policies ran', () => {
  const registry = new Registry();
  let server: Server;
  let exposition = '';

  beforeAll(async () => {
    const installed = setMetricsCallbacks(createMetricsCallbacks({ namespace: 'shop', registry }));
    try {
      const breaker = new CircuitBreaker('inventory', { failureThreshold: 2 });
      for (let call = 0; call < 3; call++) {
        await breaker.execute(() => Promise.reject(new Error('inventory down'))).catch(() => undefined);
      }
      const retry = new RetryPolicy({ maxRetries: 2, baseDelayMs: 1, jitter: false, name: 'courier' });
      await retry.execute(() => Promise.reject(new Error('courier down'))).catch(() => undefined);
      const timeout = new TimeoutPolicy({ ms: 5, name: 'search' });
      await timeout
        .execute(
          ({ signal }) =>
            new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
        )
        .catch(() => undefined);
    } finally {
      installed.dispose();
    }
    server = createServer(async (_request, response) => {
      response.setHeader('content-type', registry.contentType);
      response.end(await registry.metrics());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const scrape = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toBe(registry.contentType);
    exposition = await scrape.text();
  });

  afterAll(async () => {
    setMetricsCallbacks(undefined);
    await new Promise((resolve) => server.close(resolve));
  });

  it('shows the breaker that opened, as a state gauge and a transition', () => {
    expect(exposition).toContain('shop_circuit_breaker_state{name="inventory",state="open"} 1');
    expect(exposition).toContain('shop_circuit_breaker_state{name="inventory",state="closed"} 0');
    expect(exposition).toContain(
      'shop_circuit_breaker_transitions_total{name="inventory",from="closed",to="open"} 1',
    );
    expect(exposition).toMatch(
      /shop_calls_total\{policy="circuit_breaker",name="inventory",outcome="failure"\} 2/,
    );
    expect(exposition).toMatch(
      /shop_calls_total\{policy="circuit_breaker",name="inventory",outcome="rejected"\} 1/,
    );
  });

  it('shows the retries and the exhausted retry', () => {
    expect(exposition).toContain('shop_retry_attempts_total{operation="courier"} 2');
    expect(exposition).toContain('shop_retry_exhausted_total{operation="courier"} 1');
  });

  it('shows the timeout that fired', () => {
    expect(exposition).toContain('shop_timeouts_total{operation="search"} 1');
  });

  it('carries no error message in any label', () => {
    expect(exposition).not.toMatch(/down/);
  });
});
