import { describe, expect, it } from 'vitest';
import {
  type BreakerStateStore,
  CircuitBreaker,
  type CircuitBreakerConfig,
  CircuitBreakerOpenError,
  CircuitState,
  type CircuitStateChange,
  type SharedBreaker,
} from '../../src/circuit-breaker/index.js';
import { VirtualClock } from '../../src/testing/virtual-clock.js';
import { FakeStore } from './fake-state-store.js';

const boom = new Error('down');

function setup(config: CircuitBreakerConfig = {}) {
  const clock = new VirtualClock(1_000_000);
  const store = new FakeStore();
  const breaker = new CircuitBreaker('payments', {
    clock,
    failureThreshold: 2,
    cooldownMs: 1000,
    successThreshold: 1,
    stateStore: store,
    ...config,
  });
  const changes: CircuitStateChange[] = [];
  breaker.onStateChange((change) => changes.push(change));
  return { clock, store, breaker, changes, shared: store.breaker as SharedBreaker };
}

describe('CircuitBreakerConfig.stateStore', () => {
  it('rejects a value that is not a store, naming the field', () => {
    expect(() => new CircuitBreaker('x', { stateStore: {} as BreakerStateStore })).toThrow(
      /CircuitBreakerConfig\.stateStore/,
    );
  });

  it('attaches the breaker to the store under its name', () => {
    const { shared } = setup();
    expect(shared.name).toBe('payments');
    expect(shared.sharedState()).toEqual({
      state: CircuitState.CLOSED,
      openedAt: undefined,
      nextAttemptAt: 0,
    });
  });

  it('reports every counted outcome to the store and publishes nothing while closed', async () => {
    const { store, breaker } = setup({ failureThreshold: 10 });
    await breaker.execute(() => 1);
    await expect(breaker.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    expect(store.outcomes).toEqual([
      [false, false],
      [true, false],
    ]);
    expect(store.published).toEqual([]);
  });

  it('publishes a local open with its cooldown', async () => {
    const { store, breaker, clock } = setup();
    for (let i = 0; i < 2; i++) await breaker.execute(() => Promise.reject(boom)).catch(() => {});
    expect(store.published).toEqual([
      [
        { state: CircuitState.OPEN, openedAt: clock.now(), nextAttemptAt: clock.now() + 1000 },
        'failure_threshold',
      ],
    ]);
  });

  it('applies an open decided elsewhere without publishing it back', async () => {
    const { store, breaker, shared, clock, changes } = setup();
    shared.applySharedState({
      state: CircuitState.OPEN,
      openedAt: clock.now(),
      nextAttemptAt: clock.now() + 500,
    });
    expect(breaker.state).toBe(CircuitState.OPEN);
    const error = await breaker.execute(() => 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitBreakerOpenError);
    expect((error as CircuitBreakerOpenError).retryAfterMs).toBe(500);
    expect(changes.map((c) => c.reason)).toEqual(['shared_state']);
    expect(store.published).toEqual([]);
  });

  it('applies a close decided elsewhere with an empty window', async () => {
    const { breaker, shared } = setup();
    await breaker.execute(() => Promise.reject(boom)).catch(() => {});
    breaker.forceOpen();
    shared.applySharedState({ state: CircuitState.CLOSED, openedAt: undefined, nextAttemptAt: 0 });
    expect(breaker.state).toBe(CircuitState.CLOSED);
    expect(breaker.failures).toBe(0);
  });

  it('keeps a disabled breaker disabled whatever other processes decide', () => {
    const { breaker, shared, clock } = setup();
    breaker.disable();
    shared.applySharedState({
      state: CircuitState.OPEN,
      openedAt: clock.now(),
      nextAttemptAt: clock.now() + 500,
    });
    expect(breaker.state).toBe(CircuitState.DISABLED);
  });

  it('runs trial calls only once it holds the lease', async () => {
    const { store, breaker, clock } = setup();
    breaker.recordFailure(boom);
    breaker.recordFailure(boom);
    await clock.advance(1000);
    expect(breaker.state).toBe(CircuitState.OPEN);
    expect(store.leaseRequests).toBe(0);
    const refused = await breaker.execute(() => 1).catch((e: unknown) => e);
    expect((refused as CircuitBreakerOpenError).retryAfterMs).toBe(50);
    expect(store.leaseRequests).toBe(1);
    store.leaseGranted = true;
    expect(breaker.state).toBe(CircuitState.HALF_OPEN);
    await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
    expect(breaker.state).toBe(CircuitState.CLOSED);
    expect(store.published.map(([s, reason]) => [s.state, reason])).toEqual([
      [CircuitState.OPEN, 'failure_threshold'],
      [CircuitState.HALF_OPEN, 'cooldown_elapsed'],
      [CircuitState.CLOSED, 'trial_succeeded'],
    ]);
  });

  it('runs on local state when the store is unreachable', async () => {
    const { store, breaker, clock } = setup();
    store.connected = false;
    breaker.recordFailure(boom);
    breaker.recordFailure(boom);
    await clock.advance(1000);
    await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
    expect(breaker.state).toBe(CircuitState.CLOSED);
    expect(breaker.getStatus().sharedState).toMatchObject({ connected: false, lastError: expect.any(Error) });
  });

  it('opens when outcomes summed over every process reach the failure rate', () => {
    const { breaker, shared, changes } = setup({ minimumNumberOfCalls: 10, failureRateThreshold: 0.5 });
    shared.applySharedCounts({ calls: 9, failures: 9, slowCalls: 0 });
    expect(breaker.state).toBe(CircuitState.CLOSED);
    shared.applySharedCounts({ calls: 10, failures: 4, slowCalls: 0 });
    expect(breaker.state).toBe(CircuitState.CLOSED);
    shared.applySharedCounts({ calls: 10, failures: 5, slowCalls: 0 });
    expect(breaker.state).toBe(CircuitState.OPEN);
    expect(changes.at(-1)?.reason).toBe('failure_rate');
  });

  it('opens when outcomes summed over every process reach the slow-call rate', () => {
    const { breaker, shared, changes } = setup({ minimumNumberOfCalls: 4, slowCallRateThreshold: 0.5 });
    shared.applySharedCounts({ calls: 4, failures: 0, slowCalls: 2 });
    expect(breaker.state).toBe(CircuitState.OPEN);
    expect(changes.at(-1)?.reason).toBe('slow_call_rate');
  });

  it('reports shared state in getStatus() only when a store is attached', () => {
    const { breaker } = setup();
    expect(breaker.getStatus().sharedState).toEqual({
      connected: true,
      lastError: undefined,
      aggregate: { calls: 0, failures: 0, slowCalls: 0 },
      holdsTrialLease: false,
    });
    expect('sharedState' in new CircuitBreaker('local').getStatus()).toBe(false);
  });
});
