import { Redis } from 'ioredis';
import type { BreakerStateLink, BreakerStateStore, SharedBreaker } from '../circuit-breaker/index.js';
import {
  type Clock,
  type Rule,
  rules,
  type Schema,
  systemClock,
  type TimerHandle,
  validateConfig,
} from '../core/index.js';
import { RedisBreakerLink } from './breaker-link.js';
import type { Script } from './scripts.js';
import type { StoreContext } from './store-context.js';

/** Options of a {@link RedisBreakerStateStore}: a `client` or a `url`, not both. */
export interface RedisBreakerStateStoreOptions {
  /**
   * An ioredis client owned by the application; the store never closes it.
   * @default undefined
   */
  client?: Redis | undefined;
  /**
   * A Redis URL such as `redis://127.0.0.1:6379`; the store opens a connection and closes it on `stop()`.
   * @default undefined
   */
  url?: string | undefined;
  /**
   * Prefix of every key the store writes.
   * @default 'bulwark:breaker:'
   */
  keyPrefix?: string | undefined;
  /**
   * How often each breaker flushes its outcome counts and reads the shared state. An open
   * decided elsewhere is applied within this interval plus one round-trip.
   * @default 50
   */
  syncIntervalMs?: number | undefined;
  /**
   * The window over which outcomes of every process are summed, in 10 buckets.
   * @default 10000
   */
  windowMs?: number | undefined;
  /**
   * How long the half-open trial lease lasts. A process that dies or goes quiet while
   * probing blocks the others' trial calls at most this long.
   * @default 10000
   */
  leaseTtlMs?: number | undefined;
  /**
   * The source of time for buckets, leases and the sync timer.
   * @default systemClock
   */
  clock?: Clock | undefined;
}

const redisClient: Rule = rules.withMethods('an ioredis client', 'evalsha');

const schema: Schema<RedisBreakerStateStoreOptions> = {
  client: redisClient,
  url: rules.string,
  keyPrefix: rules.string,
  syncIntervalMs: rules.duration(1),
  windowMs: rules.duration(10),
  leaseTtlMs: rules.duration(1),
  clock: rules.clock,
};

const BUCKETS = 10;
const KEY_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Shares the state of circuit breakers between processes through Redis. Pass it as
 * `stateStore` to every breaker that should share: breakers of the same name see an open
 * decided by any process within `syncIntervalMs` plus a round-trip, only the process
 * holding a lease runs half-open trial calls, and outcome rates are computed over the
 * calls of every process. Calls never wait for Redis: counts are flushed and state is read
 * on an unref'd timer. While Redis is unreachable each breaker runs on its own state and
 * `getStatus().sharedState.connected` is `false`.
 *
 * @example
 * const store = new RedisBreakerStateStore({ url: process.env.REDIS_URL });
 * const breaker = new CircuitBreaker('payments', { stateStore: store });
 * // on shutdown
 * await store.stop();
 *
 * @throws TypeError or RangeError when an option is invalid, or when neither or both of `client` and `url` are given.
 */
export class RedisBreakerStateStore implements BreakerStateStore {
  /** The connection the store uses. */
  readonly client: Redis;
  readonly #owned: boolean;
  readonly #links = new Set<RedisBreakerLink>();
  readonly #context: StoreContext;
  readonly #syncIntervalMs: number;
  readonly #clock: Clock;
  #connected = true;
  #lastError: Error | undefined;
  #stopped = false;
  #timer: TimerHandle | undefined;
  // On (re)connection, catch up at once rather than at the next tick.
  readonly #onReady = (): void => {
    this.#connected = true;
    this.#lastError = undefined;
    void this.sync();
  };

  constructor(options: RedisBreakerStateStoreOptions) {
    validateConfig<RedisBreakerStateStoreOptions>('RedisBreakerStateStoreOptions', options, schema);
    if ((options?.client === undefined) === (options?.url === undefined)) {
      throw new TypeError('RedisBreakerStateStoreOptions needs exactly one of `client` and `url`');
    }
    this.#owned = options.client === undefined;
    this.client = options.client ?? this.#connect(options.url as string);
    this.client.on('ready', this.#onReady);
    const windowMs = options.windowMs ?? 10_000;
    this.#syncIntervalMs = options.syncIntervalMs ?? 50;
    this.#clock = options.clock ?? systemClock;
    this.#context = {
      keyPrefix: options.keyPrefix ?? 'bulwark:breaker:',
      syncIntervalMs: this.#syncIntervalMs,
      bucketMs: Math.max(1, Math.floor(windowMs / BUCKETS)),
      buckets: BUCKETS,
      leaseTtlMs: options.leaseTtlMs ?? 10_000,
      keyTtlMs: KEY_TTL_MS,
      clock: this.#clock,
      connected: () => this.connected,
      lastError: () => this.#lastError,
      run: (script, keys, args) => this.#run(script, keys, args),
    };
  }

  /** Whether the last exchange with Redis succeeded and the connection is up. */
  get connected(): boolean {
    return !this.#stopped && this.#connected && this.client.status === 'ready';
  }

  /** Called by a breaker created with `stateStore: this`; not meant to be called directly. */
  attach(breaker: SharedBreaker): BreakerStateLink {
    const link = new RedisBreakerLink(breaker, this.#context);
    if (this.#stopped) return link;
    this.#links.add(link);
    void link.sync();
    this.#schedule();
    return link;
  }

  /** Flushes counts and reads the shared state of every attached breaker now. */
  async sync(): Promise<void> {
    await Promise.all(Array.from(this.#links, (link) => link.sync()));
  }

  /**
   * Stops sharing: clears the timer, detaches every breaker (they go on with local state)
   * and closes the connection if the store opened it.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#links.clear();
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.client.off('ready', this.#onReady);
    if (!this.#owned) return;
    if (this.client.status === 'ready') {
      await this.client.quit().catch(() => this.client.disconnect());
    } else {
      this.client.disconnect();
    }
  }

  /** Alias of {@link stop}. */
  dispose(): Promise<void> {
    return this.stop();
  }

  #connect(url: string): Redis {
    // Commands fail at once while disconnected, so a sync never waits on a queue that may not drain.
    const client = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempts) => Math.min(attempts * 100, 2000),
    });
    client.on('error', (error: Error) => {
      this.#connected = false;
      this.#lastError = error;
    });
    return client;
  }

  async #run(script: Script, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (this.#stopped) return undefined;
    try {
      const reply = await script.run(this.client, keys, args);
      this.#connected = true;
      this.#lastError = undefined;
      return reply;
    } catch (error) {
      this.#connected = false;
      this.#lastError = error instanceof Error ? error : new Error(String(error));
      return undefined;
    }
  }

  #schedule(): void {
    if (this.#stopped || this.#timer !== undefined || this.#links.size === 0) return;
    this.#timer = this.#clock.setTimeout(() => {
      void this.sync().finally(() => {
        this.#timer = undefined;
        this.#schedule();
      });
    }, this.#syncIntervalMs);
  }
}
