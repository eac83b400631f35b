import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  type CircuitBreaker,
  CircuitBreakerOpenError,
  CircuitBreakerRegistry,
  defaultCircuitBreakerRegistry,
  getAllCircuitBreakers,
  getCircuitBreaker,
  withCircuitBreaker,
} from '../../src/circuit-breaker/index.js';
import { getResilienceMetadata } from '../../src/core/index.js';

afterEach(() => {
  for (const breaker of getAllCircuitBreakers()) defaultCircuitBreakerRegistry.remove(breaker.name);
});

const down = new Error('down');

describe('withCircuitBreaker as a decorator', () => {
  it('keeps this, the arguments and the return value', async () => {
    class Prices {
      readonly currency = 'EUR';
      @withCircuitBreaker('prices')
      async quote(sku: string, quantity: number): Promise<string> {
        return `${quantity} × ${sku} in ${this.currency}`;
      }
    }
    await expect(new Prices().quote('apple', 3)).resolves.toBe('3 × apple in EUR');
    expect(getCircuitBreaker('prices').getMetrics().calls).toBe(1);
  });

  it('keeps a synchronous method synchronous', () => {
    class Totals {
      @withCircuitBreaker('totals')
      sum(a: number, b: number): number {
        return a + b;
      }
    }
    const result = new Totals().sum(2, 3);
    expect(result).toBe(5);
    expectTypeOf(new Totals().sum).returns.toEqualTypeOf<number>();
  });

  it('throws synchronously from a sync method when open, and rejects from an async one', async () => {
    class Service {
      @withCircuitBreaker('sync-open')
      sync(): number {
        return 1;
      }
      @withCircuitBreaker('async-open')
      async later(): Promise<number> {
        return 1;
      }
    }
    const service = new Service();
    service.sync();
    getCircuitBreaker('sync-open').forceOpen();
    expect(() => service.sync()).toThrow(CircuitBreakerOpenError);
    getCircuitBreaker('async-open').forceOpen();
    const result = service.later();
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toBeInstanceOf(CircuitBreakerOpenError);
  });

  it('keys an unnamed breaker Class.method', async () => {
    class Inventory {
      @withCircuitBreaker({ failureThreshold: 1 })
      async reserve(): Promise<void> {
        throw down;
      }
    }
    await expect(new Inventory().reserve()).rejects.toBe(down);
    const breaker = defaultCircuitBreakerRegistry.get('Inventory.reserve');
    expect(breaker?.state).toBe('open');
    await expect(new Inventory().reserve()).rejects.toBeInstanceOf(CircuitBreakerOpenError);
  });

  it('answers with the fallback on failure and when open, without counting it as a failure', async () => {
    class Catalog {
      @withCircuitBreaker({
        name: 'catalog',
        failureThreshold: 2,
        fallback: (error: unknown) => `fallback: ${(error as Error).name}`,
      })
      async list(): Promise<string> {
        throw down;
      }
    }
    const catalog = new Catalog();
    await expect(catalog.list()).resolves.toBe('fallback: Error');
    await expect(catalog.list()).resolves.toBe('fallback: Error');
    await expect(catalog.list()).resolves.toBe('fallback: CircuitBreakerOpenError');
    expect(getCircuitBreaker('catalog').getStatus()).toMatchObject({
      state: 'open',
      calls: 2,
      failures: 2,
      rejections: 1,
      fallbacks: 3,
    });
  });

  it('records metadata readable with getResilienceMetadata', () => {
    class Orders {
      @withCircuitBreaker('orders')
      async place(): Promise<void> {}
    }
    expect(getResilienceMetadata(Orders).methods.place).toEqual([
      { policy: 'circuitBreaker', options: { name: 'orders' } },
    ]);
  });
});

describe('withCircuitBreaker faces', () => {
  it('the policy object, the higher-order function and the decorator reach the same breaker', async () => {
    const registry = new CircuitBreakerRegistry();
    const charge = withCircuitBreaker({ name: 'payments', registry, failureThreshold: 3 })(
      async (amount: number): Promise<number> => {
        if (amount < 0) throw down;
        return amount;
      },
    );
    class Payments {
      @withCircuitBreaker({ name: 'payments', registry })
      async refund(amount: number): Promise<number> {
        if (amount < 0) throw down;
        return -amount;
      }
    }
    const breaker: CircuitBreaker = registry.getOrCreate('payments');
    await expect(charge(5)).resolves.toBe(5);
    await expect(new Payments().refund(5)).resolves.toBe(-5);
    await expect(breaker.execute(async () => 1)).resolves.toBe(1);
    await charge(-1).catch(() => {});
    await new Payments().refund(-1).catch(() => {});
    await breaker.execute(() => Promise.reject(down)).catch(() => {});
    expect(breaker.state).toBe('open');
    expect(breaker.getMetrics().calls).toBe(6);
    await expect(charge(1)).rejects.toBeInstanceOf(CircuitBreakerOpenError);
    await expect(new Payments().refund(1)).rejects.toBeInstanceOf(CircuitBreakerOpenError);
  });

  it('finds a new breaker after the registry removed the old one', async () => {
    const registry = new CircuitBreakerRegistry();
    const ping = withCircuitBreaker({ name: 'ping', registry })(async () => 'pong');
    await ping();
    const first = registry.get('ping');
    registry.remove('ping');
    await ping();
    expect(registry.get('ping')).not.toBe(first);
    expect(registry.get('ping')?.getMetrics().calls).toBe(1);
  });

  it('names a wrapped function breaker after the function, and asks for a name for an anonymous one', async () => {
    const registry = new CircuitBreakerRegistry();
    async function lookupUser(id: string): Promise<string> {
      return id;
    }
    await withCircuitBreaker({ registry })(lookupUser)('u1');
    expect(registry.get('lookupUser')?.getMetrics().calls).toBe(1);
    expect(() => withCircuitBreaker({ registry })(async () => 1)).toThrow(/needs options.name/);
  });

  it('appends the call signal with passSignal', async () => {
    const fetchUser = withCircuitBreaker({ name: 'users', passSignal: true, timeoutMs: 1000 })(
      async (id: string, signal: AbortSignal) => `${id}:${signal.aborted}`,
    );
    await expect(fetchUser('u1')).resolves.toBe('u1:false');
    expectTypeOf(fetchUser).parameters.toEqualTypeOf<[string]>();
  });

  it('infers the wrapped function type', () => {
    const wrapped = withCircuitBreaker('typed')(async (a: number, b: string) => ({ a, b }));
    expectTypeOf(wrapped).parameters.toEqualTypeOf<[number, string]>();
    expectTypeOf(wrapped).returns.toEqualTypeOf<Promise<{ a: number; b: string }>>();
    const sync = withCircuitBreaker('typed-sync')((n: number) => n * 2);
    expectTypeOf(sync).returns.toEqualTypeOf<number>();
    expect(sync(4)).toBe(8);
  });
});
