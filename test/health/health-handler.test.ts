import { describe, expect, it } from 'vitest';
import {
  HEALTH_JSON_CONTENT_TYPE,
  HealthChecker,
  healthHandler,
  healthResponse,
} from '../../src/health/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { FakeBreaker } from './fake-breaker.js';

function checker() {
  const clock = new VirtualClock(Date.UTC(2026, 0, 2, 3, 4, 5));
  return { clock, health: new HealthChecker({ name: 'orders', clock, failureThreshold: 1 }) };
}

describe('healthResponse', () => {
  it('builds the draft health+json answer with measurements keyed component:measurement', async () => {
    const { health } = checker();
    health.registerCheck('postgres', () => true);
    health.registerCheck('disk', () => ({ observedValue: 41.5, observedUnit: '%' }));
    health.registerCheck(
      'replication:lag',
      () => ({ status: 'degraded', observedValue: 12, observedUnit: 's' }),
      {
        critical: false,
      },
    );
    health.registerCircuitBreaker(new FakeBreaker('payments'));
    expect(await healthResponse(health)).toEqual({
      statusCode: 200,
      headers: { 'content-type': HEALTH_JSON_CONTENT_TYPE, 'cache-control': 'no-store' },
      body: {
        status: 'warn',
        checks: {
          'postgres:responseTime': [
            { status: 'pass', observedValue: 0, observedUnit: 'ms', time: '2026-01-02T03:04:05.000Z' },
          ],
          'disk:responseTime': [
            { status: 'pass', observedValue: 41.5, observedUnit: '%', time: '2026-01-02T03:04:05.000Z' },
          ],
          'replication:lag': [
            { status: 'warn', observedValue: 12, observedUnit: 's', time: '2026-01-02T03:04:05.000Z' },
          ],
          'payments:circuitState': [
            { status: 'pass', observedValue: 'closed', time: '2026-01-02T03:04:05.000Z' },
          ],
        },
      },
    });
  });

  it('answers 503 with fail when a critical check fails, and 200 with warn when only a non-critical one does', async () => {
    const { health } = checker();
    const optional = health.registerCheck('search', () => false, { critical: false });
    expect(await healthResponse(health)).toMatchObject({ statusCode: 200, body: { status: 'warn' } });
    optional.dispose();
    health.registerCheck('postgres', () => {
      throw new Error('password authentication failed for user "orders"');
    });
    const response = await healthResponse(health);
    expect(response.statusCode).toBe(503);
    expect(response.body.status).toBe('fail');
    expect(response.body.checks['postgres:responseTime']?.[0]).not.toHaveProperty('output');
    const detailed = await healthResponse(health, { details: true });
    expect(detailed.body.checks['postgres:responseTime']?.[0]?.output).toBe(
      'password authentication failed for user "orders"',
    );
  });

  it("reuses results younger than the checker's cacheTtlMs", async () => {
    const { clock, health } = checker();
    let runs = 0;
    health.registerCheck('postgres', () => {
      runs++;
    });
    await healthResponse(health);
    await healthResponse(health);
    expect(runs).toBe(1);
    await clock.advance(health.cacheTtlMs);
    await healthResponse(health);
    expect(runs).toBe(2);
  });

  it('validates its options', async () => {
    const { health } = checker();
    expect(() => healthHandler(health, { kind: 'live' as never })).toThrow(/HealthHandlerOptions\.kind/);
    expect(() => healthHandler(health, { detail: true } as never)).toThrow(/did you mean "details"/);
    expect(() => healthHandler({} as never)).toThrow(/must be a HealthChecker/);
    await expect(healthResponse(health, { details: 'yes' as never })).rejects.toThrow(TypeError);
  });
});
