import { describe, expect, it, vi } from 'vitest';
import { CircuitBreaker } from '../../src/circuit-breaker/index.js';
import { VirtualClock } from '../../src/testing/index.js';

function openBreaker(config: { autoHealing?: boolean; healthCheckIntervalMs?: number } = {}) {
  const clock = new VirtualClock();
  const breaker = new CircuitBreaker('db', { clock, failureThreshold: 1, cooldownMs: 60_000, ...config });
  breaker.recordFailure(new Error('down'));
  return { clock, breaker };
}

describe('CircuitBreaker health checks', () => {
  it('reports each check by name; a throwing or false check fails', async () => {
    const { breaker } = openBreaker();
    breaker.addHealthCheck({ name: 'ping', check: () => true });
    breaker.addHealthCheck({ name: 'query', check: async () => false });
    breaker.addHealthCheck(function disk() {
      throw new Error('full');
    });
    await expect(breaker.runHealthChecks()).resolves.toEqual({ ping: true, query: false, disk: false });
    expect(breaker.getStatus().health).toEqual({ ping: true, query: false, disk: false });
  });

  it('with autoHealing, half-opens an open breaker early when every check passes', async () => {
    const { breaker } = openBreaker({ autoHealing: true });
    let healthy = false;
    breaker.addHealthCheck(() => healthy);
    await breaker.runHealthChecks();
    expect(breaker.state).toBe('open');
    healthy = true;
    const reasons: string[] = [];
    breaker.onStateChange((change) => reasons.push(change.reason));
    await breaker.runHealthChecks();
    expect(breaker.state).toBe('half_open');
    expect(reasons).toEqual(['health_check']);
  });

  it('without autoHealing, leaves an open breaker open', async () => {
    const { breaker } = openBreaker();
    breaker.addHealthCheck(() => true);
    await breaker.runHealthChecks();
    expect(breaker.state).toBe('open');
  });

  it('runs checks on a timer only while a check is attached, and dispose clears it', async () => {
    const { breaker, clock } = openBreaker({ autoHealing: true, healthCheckIntervalMs: 1000 });
    expect(clock.pendingTimers).toBe(0);
    const check = vi.fn(() => true);
    const attached = breaker.addHealthCheck(check);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(1000);
    expect(check).toHaveBeenCalledTimes(1);
    expect(breaker.state).toBe('half_open');
    await clock.advance(1000);
    expect(check).toHaveBeenCalledTimes(2);
    attached.dispose();
    expect(clock.pendingTimers).toBe(0);
    breaker.addHealthCheck(check);
    breaker.dispose();
    expect(clock.pendingTimers).toBe(0);
  });

  it('fails a check that runs past its time limit', async () => {
    const { breaker, clock } = openBreaker();
    breaker.addHealthCheck({ name: 'hangs', check: () => new Promise(() => {}), timeoutMs: 100 });
    const results = breaker.runHealthChecks();
    await clock.advance(100);
    await expect(results).resolves.toEqual({ hangs: false });
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps idle breakers free of timers', () => {
    const clock = new VirtualClock();
    for (let i = 0; i < 100; i++) new CircuitBreaker(`idle-${i}`, { clock, healthCheckIntervalMs: 10 });
    expect(clock.pendingTimers).toBe(0);
  });
});
