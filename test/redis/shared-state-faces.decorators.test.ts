import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  CircuitBreakerOpenError,
  CircuitBreakerRegistry,
  CircuitState,
  withCircuitBreaker,
} from '../../src/circuit-breaker/index.js';
import { FakeStore } from './fake-state-store.js';

const openElsewhere = { state: CircuitState.OPEN, openedAt: 0, nextAttemptAt: Number.MAX_SAFE_INTEGER };

describe('stateStore through the three faces', () => {
  it('shares state the same way for the policy object, the HOF and the decorator', async () => {
    const store = new FakeStore();
    const registry = new CircuitBreakerRegistry();
    let calls = 0;
    const work = async (): Promise<string> => {
      calls++;
      return 'done';
    };
    const policy = new CircuitBreaker('policy', { stateStore: store });
    const hof = withCircuitBreaker({ name: 'hof', registry, stateStore: store })(work);
    class Service {
      @withCircuitBreaker({ name: 'Service.run', registry, stateStore: store })
      async run(): Promise<string> {
        return work();
      }
    }
    const service = new Service();
    expect(store.breakers.map((breaker) => breaker.name)).toEqual(['policy', 'hof', 'Service.run']);

    await expect(policy.execute(work)).resolves.toBe('done');
    await expect(hof()).resolves.toBe('done');
    await expect(service.run()).resolves.toBe('done');
    expect(store.outcomes).toHaveLength(3);

    for (const breaker of store.breakers) breaker.applySharedState(openElsewhere);
    await expect(policy.execute(work)).rejects.toBeInstanceOf(CircuitBreakerOpenError);
    await expect(hof()).rejects.toBeInstanceOf(CircuitBreakerOpenError);
    await expect(service.run()).rejects.toBeInstanceOf(CircuitBreakerOpenError);
    expect(calls).toBe(3);
  });
});
