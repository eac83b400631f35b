import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  HealthChecker,
  HealthCheckKind,
  HealthStatus,
  isHealthCheckTimeoutError,
} from '../../src/health/index.js';
import { setMetricsCallbacks } from '../../src/metrics/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { FakeBreaker } from './fake-breaker.js';

const fail = (): never => {
  throw new Error('connection refused');
};

function checker(options: ConstructorParameters<typeof HealthChecker>[0] = {}) {
  const clock = new VirtualClock(1_000_000);
  return { clock, health: new HealthChecker({ name: 'orders', clock, ...options }) };
}

describe('HealthStatus', () => {
  it('is a frozen enum of the four statuses', () => {
    expect(HealthStatus).toEqual({
      HEALTHY: 'healthy',
      DEGRADED: 'degraded',
      UNHEALTHY: 'unhealthy',
      UNKNOWN: 'unknown',
    });
    expect(Object.isFrozen(HealthStatus)).toBe(true);
    expect(Object.isFrozen(HealthCheckKind)).toBe(true);
    expect(HealthCheckKind.READINESS).toBe('readiness');
  });
});

describe('HealthChecker configuration', () => {
  it('has the documented defaults', () => {
    const health = new HealthChecker({ name: 'orders' });
    expect(health).toMatchObject({
      name: 'orders',
      checkIntervalMs: 30_000,
      failureThreshold: 3,
      successThreshold: 1,
      timeoutMs: 5000,
      cacheTtlMs: 1000,
    });
    expect(health.status).toBe(HealthStatus.UNKNOWN);
    expect(new HealthChecker().name).toBe('health');
  });

  it('rejects unknown options with a suggestion and bad values naming the field', () => {
    expect(() => new HealthChecker({ failureTreshold: 2 } as never)).toThrow(
      /HealthCheckerConfig has no option "failureTreshold" \(did you mean "failureThreshold"\?\)/,
    );
    expect(() => new HealthChecker({ failureThreshold: 0 })).toThrow(RangeError);
    expect(() => new HealthChecker({ failureThreshold: 0 })).toThrow(/HealthCheckerConfig\.failureThreshold/);
    expect(() => new HealthChecker({ timeoutMs: -1 })).toThrow(/HealthCheckerConfig\.timeoutMs/);
    expect(() => new HealthChecker({ clock: {} as never })).toThrow(TypeError);
    expect(() => new HealthChecker({ name: '' })).toThrow(/HealthCheckerConfig\.name/);
  });

  it('rejects bad check registrations', () => {
    const { health } = checker();
    expect(() => health.registerCheck('', () => true)).toThrow(TypeError);
    expect(() => health.registerCheck('db', 'SELECT 1' as never)).toThrow(/fn must be a function/);
    expect(() => health.registerCheck('db', () => true, { kind: 'deep' as never })).toThrow(
      /HealthCheckOptions\.kind must be one of "liveness", "readiness", "startup"/,
    );
    expect(() => health.registerCheck('db', () => true, { critical: 'yes' as never })).toThrow(
      /HealthCheckOptions\.critical/,
    );
    health.registerCheck('db', () => true);
    expect(() => health.registerCheck('db', () => true)).toThrow(/already registered/);
    expect(() => health.registerCircuitBreaker({} as never)).toThrow(TypeError);
  });
});

describe('HealthChecker', () => {
  afterEach(() => {
    setMetricsCallbacks(undefined);
  });

  it('reports each check with its status, latency and consecutive failures', async () => {
    const { clock, health } = checker();
    health.registerCheck('postgres', async () => {
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 12));
    });
    const reporting = health.checkAll();
    await clock.advance(12);
    expect(await reporting).toEqual({
      status: 'healthy',
      checks: { postgres: { status: 'healthy', latencyMs: 12, consecutiveFailures: 0 } },
      timestamp: 1_000_012,
    });
  });

  it('is healthy with no checks, so a bare liveness probe passes', async () => {
    const { health } = checker();
    expect((await health.checkAll(HealthCheckKind.LIVENESS)).status).toBe('healthy');
  });

  it('tolerates failures as degraded until failureThreshold consecutive ones make a check unhealthy', async () => {
    const { health } = checker({ failureThreshold: 3 });
    health.registerCheck('postgres', fail);
    const first = await health.checkAll();
    expect(first.status).toBe('degraded');
    expect(first.checks.postgres).toEqual({
      status: 'degraded',
      latencyMs: 0,
      consecutiveFailures: 1,
      lastError: 'connection refused',
    });
    expect((await health.checkAll()).checks.postgres?.status).toBe('degraded');
    const third = await health.checkAll();
    expect(third.status).toBe('unhealthy');
    expect(third.checks.postgres).toMatchObject({ status: 'unhealthy', consecutiveFailures: 3 });
  });

  it('resets the failure count on a success below the threshold', async () => {
    const { health } = checker({ failureThreshold: 2 });
    let ok = false;
    health.registerCheck('postgres', () => (ok ? undefined : fail()));
    await health.checkAll();
    ok = true;
    expect((await health.checkAll()).checks.postgres).toEqual({
      status: 'healthy',
      latencyMs: 0,
      consecutiveFailures: 0,
    });
    ok = false;
    expect((await health.checkAll()).checks.postgres?.status).toBe('degraded');
  });

  it('needs successThreshold consecutive successes to leave unhealthy', async () => {
    const { health } = checker({ failureThreshold: 1, successThreshold: 2 });
    let ok = false;
    health.registerCheck('postgres', () => (ok ? true : fail()));
    expect((await health.checkAll()).status).toBe('unhealthy');
    ok = true;
    expect((await health.checkAll()).status).toBe('unhealthy');
    expect((await health.checkAll()).status).toBe('healthy');
  });

  it('lets a check set its own thresholds, so a shutdown flag fails readiness at once', async () => {
    const { health } = checker({ failureThreshold: 3, successThreshold: 1 });
    let shuttingDown = false;
    health.registerCheck('shutdown', () => !shuttingDown, { failureThreshold: 1, successThreshold: 2 });
    expect((await health.checkAll()).status).toBe('healthy');
    shuttingDown = true;
    expect((await health.checkAll()).status).toBe('unhealthy');
    shuttingDown = false;
    expect((await health.checkAll()).status).toBe('unhealthy');
    expect((await health.checkAll()).status).toBe('healthy');
    expect(() => health.registerCheck('x', () => true, { failureThreshold: 0 })).toThrow(
      /HealthCheckOptions\.failureThreshold/,
    );
  });

  it('makes the report degraded, not unhealthy, when a non-critical check fails', async () => {
    const { health } = checker({ failureThreshold: 1 });
    health.registerCheck('postgres', () => true);
    health.registerCheck('recommendations', fail, { critical: false });
    const report = await health.checkAll();
    expect(report.status).toBe('degraded');
    expect(report.checks.recommendations?.status).toBe('unhealthy');
    expect(report.checks.postgres?.status).toBe('healthy');
  });

  it('reads false as failure, and a returned status or result as what the check says', async () => {
    const { health } = checker({ failureThreshold: 1 });
    health.registerCheck('false', () => false);
    health.registerCheck('lagging', () => HealthStatus.DEGRADED);
    health.registerCheck('disk', () => ({
      status: 'unhealthy',
      observedValue: 98,
      observedUnit: '%',
      output: 'disk full',
    }));
    health.registerCheck('query-result', () => ({ rows: [{ one: 1 }], status: 200 }));
    const report = await health.checkAll();
    expect(report.checks.false).toMatchObject({ status: 'unhealthy', lastError: 'the check returned false' });
    expect(report.checks.lagging).toEqual({ status: 'degraded', latencyMs: 0, consecutiveFailures: 0 });
    expect(report.checks.disk).toMatchObject({ status: 'unhealthy', lastError: 'disk full' });
    expect(report.checks['query-result']?.status).toBe('healthy');
  });

  it('fails a check that outlives timeoutMs and aborts its signal', async () => {
    const { clock, health } = checker({ timeoutMs: 100, failureThreshold: 1 });
    let seen: AbortSignal | undefined;
    health.registerCheck('hangs', ({ signal }) => {
      seen = signal;
      return new Promise(() => {});
    });
    const reporting = health.checkAll();
    await clock.advance(99);
    expect(seen?.aborted).toBe(false);
    await clock.advance(1);
    const report = await reporting;
    expect(report.checks.hangs).toEqual({
      status: 'unhealthy',
      latencyMs: 100,
      consecutiveFailures: 1,
      lastError: 'Health check "hangs" did not finish within 100 ms',
    });
    expect(isHealthCheckTimeoutError(seen?.reason)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('honours a per-check timeout and clears the timer of a check that finished', async () => {
    const { clock, health } = checker({ failureThreshold: 1 });
    health.registerCheck('quick', () => true);
    health.registerCheck('slow', () => new Promise(() => {}), { timeoutMs: 50 });
    const reporting = health.checkAll();
    await clock.advance(50);
    expect((await reporting).checks.slow?.status).toBe('unhealthy');
    expect(clock.pendingTimers).toBe(0);
  });

  it('shares one run of each check among concurrent callers, so a probe storm hits a dependency once', async () => {
    const { clock, health } = checker();
    const check = vi.fn(() => new Promise<void>((resolve) => clock.setTimeout(resolve, 5)));
    health.registerCheck('postgres', check);
    const storm = Array.from({ length: 50 }, () => health.checkAll());
    await clock.advance(5);
    const reports = await Promise.all(storm);
    expect(check).toHaveBeenCalledTimes(1);
    expect(new Set(reports.map((report) => report.checks.postgres?.status))).toEqual(new Set(['healthy']));
  });

  it('reuses results younger than maxAgeMs, and runs checks again once they are older', async () => {
    const { clock, health } = checker();
    const check = vi.fn(() => true);
    health.registerCheck('postgres', check);
    await health.checkAll(undefined, { maxAgeMs: 1000 });
    await clock.advance(999);
    await health.checkAll(undefined, { maxAgeMs: 1000 });
    expect(check).toHaveBeenCalledTimes(1);
    await clock.advance(1);
    await health.checkAll(undefined, { maxAgeMs: 1000 });
    expect(check).toHaveBeenCalledTimes(2);
    await health.checkAll();
    expect(check).toHaveBeenCalledTimes(3);
  });

  it('filters by kind, so one checker answers liveness and readiness apart', async () => {
    const { health } = checker({ failureThreshold: 1 });
    const liveness = vi.fn(() => true);
    health.registerCheck('event-loop', liveness, { kind: 'liveness' });
    health.registerCheck('postgres', fail);
    const live = await health.checkAll('liveness');
    expect(live).toMatchObject({ status: 'healthy', checks: { 'event-loop': { status: 'healthy' } } });
    expect(Object.keys(live.checks)).toEqual(['event-loop']);
    const ready = await health.checkAll('readiness');
    expect(ready.status).toBe('unhealthy');
    expect(Object.keys(ready.checks)).toEqual(['postgres']);
    expect(Object.keys((await health.checkAll()).checks)).toEqual(['event-loop', 'postgres']);
    await expect(health.checkAll('deep' as never)).rejects.toThrow(RangeError);
  });

  it('stops running a startup check once it has passed', async () => {
    const { health } = checker();
    let warmed = false;
    const startup = vi.fn(() => warmed);
    health.registerCheck('cache-warm', startup, { kind: 'startup' });
    expect((await health.checkAll('startup')).status).toBe('degraded');
    warmed = true;
    expect((await health.checkAll('startup')).status).toBe('healthy');
    warmed = false;
    expect((await health.checkAll('startup')).status).toBe('healthy');
    expect(startup).toHaveBeenCalledTimes(2);
  });

  it('emits onStatusChange on real changes only, and stops after dispose', async () => {
    const { health } = checker({ failureThreshold: 2 });
    let ok = true;
    health.registerCheck('postgres', () => (ok ? true : fail()));
    const changes: string[] = [];
    const subscription = health.onStatusChange(({ name, from, to }) =>
      changes.push(`${name}:${from}->${to}`),
    );
    await health.checkAll();
    await health.checkAll();
    ok = false;
    await health.checkAll();
    await health.checkAll();
    await health.checkAll();
    expect(changes).toEqual([
      'orders:unknown->healthy',
      'orders:healthy->degraded',
      'orders:degraded->unhealthy',
    ]);
    subscription.dispose();
    ok = true;
    await health.checkAll();
    expect(health.status).toBe('healthy');
    expect(changes).toHaveLength(3);
  });

  it('reports status changes of the checker and of each check through the metrics callbacks', async () => {
    const healthStatusChanged = vi.fn();
    setMetricsCallbacks({ healthStatusChanged });
    const { health } = checker({ failureThreshold: 1 });
    let ok = true;
    health.registerCheck('postgres', () => (ok ? true : fail()));
    await health.checkAll();
    ok = false;
    await health.checkAll();
    await health.checkAll();
    expect(healthStatusChanged.mock.calls).toEqual([
      ['postgres', 'unknown', 'healthy'],
      ['orders', 'unknown', 'healthy'],
      ['postgres', 'healthy', 'unhealthy'],
      ['orders', 'healthy', 'unhealthy'],
    ]);
  });

  it('removes checks by name or by disposing the registration', async () => {
    const { health } = checker({ failureThreshold: 1 });
    health.registerCheck('postgres', fail);
    const redis = health.registerCheck('redis', () => true);
    expect((await health.checkAll()).status).toBe('unhealthy');
    expect(health.unregisterCheck('postgres')).toBe(true);
    expect(health.unregisterCheck('postgres')).toBe(false);
    expect(health.status).toBe('healthy');
    redis.dispose();
    expect((await health.checkAll()).checks).toEqual({});
    health.registerCheck('redis', () => true);
    redis.dispose();
    expect(Object.keys((await health.checkAll()).checks)).toEqual(['redis']);
  });
});

describe('HealthChecker background checks', () => {
  it('runs every check at start and then every checkIntervalMs, on the clock', async () => {
    const { clock, health } = checker({ checkIntervalMs: 1000 });
    const check = vi.fn(() => true);
    health.registerCheck('postgres', check);
    health.start();
    health.start();
    expect(health.running).toBe(true);
    await clock.advance(0);
    expect(check).toHaveBeenCalledTimes(1);
    expect(health.status).toBe('healthy');
    await clock.advance(999);
    expect(check).toHaveBeenCalledTimes(1);
    await clock.advance(1);
    expect(check).toHaveBeenCalledTimes(2);
    await clock.advance(3000);
    expect(check).toHaveBeenCalledTimes(5);
    health.stop();
    expect(health.running).toBe(false);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(10_000);
    expect(check).toHaveBeenCalledTimes(5);
  });

  it('does not reschedule a round that ends after stop(), even after a restart', async () => {
    const { clock, health } = checker({ checkIntervalMs: 1000, timeoutMs: 100 });
    health.registerCheck(
      'slow',
      () => new Promise((resolve) => clock.setTimeout(() => resolve(undefined), 50)),
    );
    health.start();
    health.stop();
    health.start();
    await clock.advance(50);
    expect(clock.pendingTimers).toBe(1);
    health.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('detects a status change with no probe asking', async () => {
    const { clock, health } = checker({ checkIntervalMs: 1000, failureThreshold: 2 });
    let ok = true;
    health.registerCheck('postgres', () => (ok ? true : fail()));
    const listener = vi.fn();
    health.onStatusChange(listener);
    health.start();
    await clock.advance(0);
    ok = false;
    await clock.advance(2000);
    expect(listener).toHaveBeenLastCalledWith({ name: 'orders', from: 'degraded', to: 'unhealthy' });
    health.dispose();
    expect(clock.pendingTimers).toBe(0);
  });

  it("keeps the process free to exit: background timers are unref'd", async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const health = new HealthChecker({ checkIntervalMs: 60_000 });
    try {
      health.start();
      await new Promise((resolve) => setImmediate(resolve));
      const index = spy.mock.calls.findIndex((call) => call[1] === 60_000);
      const timer = spy.mock.results[index]?.value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
    } finally {
      spy.mockRestore();
      health.stop();
    }
  });
});

describe('HealthChecker.registerCircuitBreaker', () => {
  it('mirrors the breaker: open is degraded, half-open is degraded, closed is healthy', async () => {
    const { health } = checker();
    const breaker = new FakeBreaker('payments');
    health.registerCircuitBreaker(breaker);
    expect((await health.checkAll()).checks.payments).toEqual({
      status: 'healthy',
      latencyMs: 0,
      consecutiveFailures: 0,
    });
    breaker.failures = 5;
    breaker.moveTo('open');
    const open = await health.checkAll();
    expect(open.status).toBe('degraded');
    expect(open.checks.payments).toEqual({
      status: 'degraded',
      latencyMs: 0,
      consecutiveFailures: 5,
      lastError: 'circuit breaker "payments" is open',
    });
    breaker.moveTo('half_open');
    expect((await health.checkAll()).checks.payments?.status).toBe('degraded');
    breaker.moveTo('closed');
    expect((await health.checkAll()).status).toBe('healthy');
  });

  it('makes the service unhealthy when a critical breaker opens, and reports it at once', async () => {
    const { health } = checker();
    const breaker = new FakeBreaker('payments');
    health.registerCircuitBreaker(breaker, { critical: true, name: 'payments-api' });
    await health.checkAll();
    const listener = vi.fn();
    health.onStatusChange(listener);
    breaker.moveTo('forced_open');
    expect(listener).toHaveBeenCalledWith({ name: 'orders', from: 'healthy', to: 'unhealthy' });
    expect((await health.checkAll()).checks['payments-api']?.status).toBe('unhealthy');
  });

  it('stops listening to the breaker when unregistered or disposed', () => {
    const { health } = checker();
    const breaker = new FakeBreaker('payments');
    health.registerCircuitBreaker(breaker);
    expect(breaker.listening).toBe(true);
    health.unregisterCheck('payments');
    expect(breaker.listening).toBe(false);
    health.registerCircuitBreaker(breaker);
    health.dispose();
    expect(breaker.listening).toBe(false);
  });
});
