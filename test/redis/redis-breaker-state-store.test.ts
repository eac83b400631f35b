import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CircuitBreaker,
  type CircuitBreakerConfig,
  CircuitBreakerOpenError,
  CircuitState,
} from '../../src/circuit-breaker/index.js';
import { RedisBreakerStateStore, type RedisBreakerStateStoreOptions } from '../../src/redis/index.js';
import { VirtualClock } from '../../src/testing/virtual-clock.js';
import { deleteKeys, randomPrefix, redisUrl, skipReason, waitFor } from './redis-helpers.js';

const boom = new Error('dependency down');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!redisUrl)(`RedisBreakerStateStore against a real Redis (${skipReason})`, () => {
  const url = redisUrl as string;
  let prefix = randomPrefix();
  const cleanups: Array<() => Promise<void> | void> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await deleteKeys(url, prefix);
    prefix = randomPrefix();
  });

  function store(options: Partial<RedisBreakerStateStoreOptions> = {}): RedisBreakerStateStore {
    const created = new RedisBreakerStateStore({ url, keyPrefix: prefix, ...options });
    cleanups.push(() => created.stop());
    return created;
  }

  // Two stores with two connections stand for two processes.
  async function twoProcesses(
    config: CircuitBreakerConfig,
    options: Partial<RedisBreakerStateStoreOptions> = {},
  ) {
    const storeA = store(options);
    const storeB = store(options);
    const a = new CircuitBreaker('inventory', { ...config, stateStore: storeA });
    const b = new CircuitBreaker('inventory', { ...config, stateStore: storeB });
    await waitFor(() => storeA.connected && storeB.connected);
    return { storeA, storeB, a, b };
  }

  // How fast (within 100 ms) is measured by benchmarks/redis.bench.ts, not asserted here.
  it('applies an open decided by one process in the other at its next sync', async () => {
    const { a, b } = await twoProcesses({ failureThreshold: 1, cooldownMs: 60_000 });
    a.recordFailure(boom);
    expect(a.state).toBe(CircuitState.OPEN);
    await waitFor(() => b.state === CircuitState.OPEN, 2000);
    await expect(b.execute(() => 'never runs')).rejects.toBeInstanceOf(CircuitBreakerOpenError);
    expect(b.getMetrics().nextAttemptAt).toBe(a.getMetrics().nextAttemptAt);
  });

  it('gives the half-open lease to one process only, and its verdict closes every process', async () => {
    const { a, b } = await twoProcesses({ failureThreshold: 1, successThreshold: 1, cooldownMs: 20 });
    a.recordFailure(boom);
    await waitFor(() => b.state === CircuitState.OPEN);
    await sleep(25);
    // Both find the cooldown over and ask for the lease; neither may probe before it is granted.
    expect(a.canExecute()).toBe(false);
    expect(b.canExecute()).toBe(false);
    const holds = (breaker: CircuitBreaker) => breaker.getStatus().sharedState?.holdsTrialLease === true;
    await waitFor(() => holds(a) || holds(b));
    await sleep(20);
    expect([holds(a), holds(b)].filter(Boolean)).toHaveLength(1);
    const [prober, other] = holds(a) ? [a, b] : [b, a];
    expect(prober.state).toBe(CircuitState.HALF_OPEN);
    expect(other.canExecute()).toBe(false);
    expect(other.state).toBe(CircuitState.OPEN);
    await expect(prober.execute(() => 'healthy')).resolves.toBe('healthy');
    expect(prober.state).toBe(CircuitState.CLOSED);
    await waitFor(() => other.state === CircuitState.CLOSED, 1000);
  });

  it("refuses a trial verdict once the prober's lease has passed to another process", async () => {
    const { a, b } = await twoProcesses(
      { failureThreshold: 1, successThreshold: 1, cooldownMs: 10 },
      { leaseTtlMs: 100 },
    );
    a.recordFailure(boom);
    await waitFor(() => b.state === CircuitState.OPEN);
    await sleep(15);
    a.canExecute();
    await waitFor(() => a.state === CircuitState.HALF_OPEN);
    expect(a.canExecute()).toBe(true);
    await sleep(110);
    b.canExecute();
    await waitFor(() => b.state === CircuitState.HALF_OPEN);
    // a's trial finishes after its lease expired: its close is refused and it follows the store.
    a.recordSuccess();
    await waitFor(() => a.state === CircuitState.OPEN);
    expect(b.state).toBe(CircuitState.HALF_OPEN);
    await b.execute(() => 'healthy');
    await waitFor(() => a.state === CircuitState.CLOSED);
  });

  it('opens every process when outcomes summed across them reach the failure rate', async () => {
    const config = { failureThreshold: 100, minimumNumberOfCalls: 10, failureRateThreshold: 0.5 };
    const { storeA, storeB, a, b } = await twoProcesses(config, { syncIntervalMs: 60_000 });
    for (const breaker of [a, b]) {
      for (let i = 0; i < 4; i++) breaker.recordFailure(boom);
      breaker.recordSuccess();
    }
    // Each process alone has seen too few calls to judge.
    expect([a.state, b.state]).toEqual([CircuitState.CLOSED, CircuitState.CLOSED]);
    await storeA.sync();
    await storeB.sync();
    expect(b.getStatus().sharedState?.aggregate).toEqual({ calls: 10, failures: 8, slowCalls: 0 });
    expect(b.state).toBe(CircuitState.OPEN);
    expect(b.getStatus().failureRate).toBe(0.8);
    await storeA.sync();
    expect(a.state).toBe(CircuitState.OPEN);
  });

  it('makes no network round-trip on the closed hot path', async () => {
    const client = new Redis(url);
    cleanups.push(() => client.disconnect());
    const shared = new RedisBreakerStateStore({ client, keyPrefix: prefix, syncIntervalMs: 60_000 });
    cleanups.push(() => shared.stop());
    const breaker = new CircuitBreaker('search', { stateStore: shared });
    await shared.sync();
    const sendCommand = vi.spyOn(client, 'sendCommand');
    for (let i = 0; i < 1000; i++) await breaker.execute(() => i);
    expect(sendCommand).not.toHaveBeenCalled();
    await shared.sync();
    expect(sendCommand).toHaveBeenCalledTimes(1);
    expect(breaker.getStatus().sharedState?.aggregate.calls).toBe(1000);
  });

  it('never closes a client it was given, and leaves its breakers working on local state after stop()', async () => {
    const client = new Redis(url);
    cleanups.push(() => client.disconnect());
    const given = new RedisBreakerStateStore({ client, keyPrefix: prefix });
    const owned = store();
    const breaker = new CircuitBreaker('mail', { stateStore: given, failureThreshold: 1 });
    await waitFor(() => given.connected && owned.connected);
    await given.stop();
    await owned.stop();
    expect(client.status).toBe('ready');
    await waitFor(() => owned.client.status === 'end');
    expect(breaker.getStatus().sharedState?.connected).toBe(false);
    await expect(breaker.execute(() => 'sent')).resolves.toBe('sent');
    breaker.recordFailure(boom);
    expect(breaker.state).toBe(CircuitState.OPEN);
  });
});

describe('RedisBreakerStateStore when Redis is unreachable', () => {
  it('keeps every breaker working on local state and says so in getStatus()', async () => {
    const unreachable = new RedisBreakerStateStore({ url: 'redis://127.0.0.1:6390', syncIntervalMs: 5 });
    try {
      const clock = new VirtualClock();
      const breaker = new CircuitBreaker('ledger', {
        stateStore: unreachable,
        failureThreshold: 2,
        successThreshold: 1,
        cooldownMs: 1000,
        clock,
      });
      await waitFor(() => breaker.getStatus().sharedState?.lastError !== undefined);
      expect(breaker.getStatus().sharedState).toMatchObject({
        connected: false,
        lastError: expect.any(Error),
      });
      await expect(breaker.execute(() => 'booked')).resolves.toBe('booked');
      await breaker.execute(() => Promise.reject(boom)).catch(() => {});
      await breaker.execute(() => Promise.reject(boom)).catch(() => {});
      expect(breaker.state).toBe(CircuitState.OPEN);
      await clock.advance(1000);
      // No lease can be had, so the breaker probes on its own.
      await expect(breaker.execute(() => 'booked')).resolves.toBe('booked');
      expect(breaker.state).toBe(CircuitState.CLOSED);
    } finally {
      await unreachable.stop();
    }
  });
});

describe('RedisBreakerStateStoreOptions validation', () => {
  it.each([
    [{}, TypeError, 'exactly one of `client` and `url`'],
    [{ url: 'redis://a', client: { evalsha() {} } }, TypeError, 'exactly one'],
    [{ url: '' }, TypeError, 'RedisBreakerStateStoreOptions.url'],
    [{ url: 'redis://a', syncIntervalMs: 0 }, RangeError, 'RedisBreakerStateStoreOptions.syncIntervalMs'],
    [{ url: 'redis://a', windowMs: 5 }, RangeError, 'RedisBreakerStateStoreOptions.windowMs'],
    [{ url: 'redis://a', leaseTtlMs: -1 }, RangeError, 'RedisBreakerStateStoreOptions.leaseTtlMs'],
    [{ url: 'redis://a', keyPrefix: 7 }, TypeError, 'RedisBreakerStateStoreOptions.keyPrefix'],
    [{ client: {} }, TypeError, 'RedisBreakerStateStoreOptions.client'],
    [{ url: 'redis://a', syncInterval: 50 }, TypeError, 'did you mean'],
  ])('rejects %o', (options, errorClass, message) => {
    const create = () => new RedisBreakerStateStore(options as RedisBreakerStateStoreOptions);
    expect(create).toThrow(errorClass);
    expect(create).toThrow(message);
  });
});
