import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/circuit-breaker/index.js';
import { HealthChecker } from '../../src/health/index.js';
import { setMetricsCallbacks } from '../../src/metrics/index.js';
import { createMetricsCallbacks } from '../../src/prometheus/index.js';
import { VirtualClock } from '../../src/testing/index.js';

const boom = async (): Promise<never> => {
  throw new Error('payment gateway unreachable');
};

describe('HealthChecker with a CircuitBreaker', () => {
  afterEach(() => {
    setMetricsCallbacks(undefined);
  });

  it('follows a real breaker through open, half-open and closed, and the metrics follow too', async () => {
    const registry = new Registry();
    setMetricsCallbacks(createMetricsCallbacks({ namespace: 'shop', registry }));
    const clock = new VirtualClock();
    const breaker = new CircuitBreaker('payments', {
      failureThreshold: 2,
      successThreshold: 1,
      cooldownMs: 1000,
      clock,
    });
    const health = new HealthChecker({ name: 'checkout', clock });
    health.registerCircuitBreaker(breaker);
    const statuses: string[] = [];
    health.onStatusChange(({ to }) => statuses.push(to));
    expect((await health.checkAll()).status).toBe('healthy');

    await expect(breaker.execute(boom)).rejects.toThrow('payment gateway unreachable');
    await expect(breaker.execute(boom)).rejects.toThrow('payment gateway unreachable');
    expect(breaker.state).toBe('open');
    expect(health.status).toBe('degraded');
    expect((await health.checkAll()).checks.payments).toMatchObject({
      status: 'degraded',
      lastError: 'circuit breaker "payments" is open',
    });

    await clock.advance(1000);
    expect((await health.checkAll()).checks.payments?.status).toBe('degraded');
    expect(breaker.state).toBe('half_open');
    await breaker.execute(async () => 'paid');
    expect(breaker.state).toBe('closed');
    expect((await health.checkAll()).status).toBe('healthy');
    expect(statuses).toEqual(['healthy', 'degraded', 'healthy']);

    const text = await registry.metrics();
    expect(text).toContain('shop_circuit_breaker_state{name="payments",state="closed"} 1');
    expect(text).toContain(
      'shop_circuit_breaker_transitions_total{name="payments",from="closed",to="open"} 1',
    );
    expect(text).toContain('shop_health_status{name="payments",status="degraded"} 0');
    expect(text).not.toContain('unreachable');
    health.dispose();
  });

  it('makes readiness unhealthy when a critical breaker is forced open', async () => {
    const breaker = new CircuitBreaker('ledger', { clock: new VirtualClock() });
    const health = new HealthChecker({ name: 'checkout', clock: new VirtualClock() });
    health.registerCircuitBreaker(breaker, { critical: true });
    breaker.forceOpen();
    expect(health.status).toBe('unhealthy');
    expect((await health.checkAll('readiness')).checks.ledger?.status).toBe('unhealthy');
    breaker.forceClose();
    expect(health.status).toBe('healthy');
  });
});
