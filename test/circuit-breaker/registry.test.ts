import { afterEach, describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  CircuitBreakerRegistry,
  defaultCircuitBreakerRegistry,
  getAllCircuitBreakers,
  getCircuitBreaker,
  resetAllCircuitBreakers,
} from '../../src/circuit-breaker/index.js';
import { VirtualClock } from '../../src/testing/index.js';

afterEach(() => {
  for (const breaker of getAllCircuitBreakers()) defaultCircuitBreakerRegistry.remove(breaker.name);
});

describe('CircuitBreakerRegistry', () => {
  it('creates a breaker on first use and returns the same one after', () => {
    const registry = new CircuitBreakerRegistry();
    const first = registry.getOrCreate('payments', { failureThreshold: 2 });
    expect(first).toBeInstanceOf(CircuitBreaker);
    expect(registry.getOrCreate('payments', { failureThreshold: 9 })).toBe(first);
    expect(registry.get('payments')).toBe(first);
    expect(registry.registerService('payments')).toBe(first);
    expect(registry.getBreaker('payments')).toBe(first);
    expect(registry.get('missing')).toBeUndefined();
    first.recordFailure(new Error('x'));
    first.recordFailure(new Error('y'));
    expect(first.state).toBe('open');
  });

  it('starts every breaker from the registry defaults', () => {
    const clock = new VirtualClock();
    const registry = new CircuitBreakerRegistry({ clock, failureThreshold: 1, cooldownMs: 10 });
    const breaker = registry.registerService('search', { cooldownMs: 20 });
    breaker.recordFailure(new Error('down'));
    expect(breaker.getMetrics().nextAttemptAt).toBe(20);
    expect(registry.getBreaker('fresh').getMetrics().state).toBe('closed');
  });

  it('lists, resets and removes breakers; removing disposes', () => {
    const clock = new VirtualClock();
    const registry = new CircuitBreakerRegistry({ clock, failureThreshold: 1, healthCheckIntervalMs: 1000 });
    const a = registry.getOrCreate('a');
    const b = registry.getOrCreate('b');
    expect(registry.all()).toEqual([a, b]);
    expect(registry.size).toBe(2);
    a.recordFailure(new Error('x'));
    registry.resetAll();
    expect(a.state).toBe('closed');
    b.addHealthCheck(() => true);
    expect(clock.pendingTimers).toBe(1);
    expect(registry.remove('b')).toBe(true);
    expect(registry.remove('b')).toBe(false);
    expect(clock.pendingTimers).toBe(0);
    expect(registry.all()).toEqual([a]);
    expect(registry.getOrCreate('b')).not.toBe(b);
  });
});

describe('getCircuitBreaker', () => {
  it('returns the process-wide breaker of a name, creating it once', () => {
    const breaker = getCircuitBreaker('inventory', { failureThreshold: 8 });
    expect(getCircuitBreaker('inventory')).toBe(breaker);
    expect(getAllCircuitBreakers()).toContain(breaker);
    expect(defaultCircuitBreakerRegistry.get('inventory')).toBe(breaker);
  });

  it('resetAllCircuitBreakers closes every process-wide breaker', () => {
    const breaker = getCircuitBreaker('flaky', { failureThreshold: 1 });
    breaker.recordFailure(new Error('x'));
    expect(breaker.state).toBe('open');
    resetAllCircuitBreakers();
    expect(breaker.state).toBe('closed');
  });
});
