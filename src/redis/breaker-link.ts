import {
  type BreakerStateLink,
  CircuitState,
  type SharedBreaker,
  type SharedBreakerState,
  type SharedOutcomeCounts,
  type SharedStateStatus,
  type StateChangeReason,
} from '../circuit-breaker/index.js';
import { leaseScript, publishScript, syncScript } from './scripts.js';
import type { StoreContext } from './store-context.js';

const NO_COUNTS: SharedOutcomeCounts = Object.freeze({ calls: 0, failures: 0, slowCalls: 0 });

// Only these states are shared: half-open belongs to the lease holder, the operator modes to their process.
const sharedStates = new Set<CircuitState>([
  CircuitState.OPEN,
  CircuitState.FORCED_OPEN,
  CircuitState.CLOSED,
]);

interface Unpublished {
  readonly state: SharedBreakerState;
  readonly fenced: boolean;
}

/** One breaker's connection to a `RedisBreakerStateStore`. */
export class RedisBreakerLink implements BreakerStateLink {
  readonly #breaker: SharedBreaker;
  readonly #store: StoreContext;
  readonly #stateKey: string;
  readonly #leaseKey: string;
  readonly #fenceKey: string;
  readonly #countsPrefix: string;
  // Outcomes counted since the last flush.
  #calls = 0;
  #failures = 0;
  #slowCalls = 0;
  #appliedVersion = '';
  #epoch = '0';
  #aggregate = NO_COUNTS;
  #token: string | undefined;
  #leaseExpiresAt = 0;
  #leaseFreeAt = 0;
  #acquiring = false;
  #unpublished: Unpublished | undefined;
  #publishing: Promise<boolean> | undefined;

  constructor(breaker: SharedBreaker, store: StoreContext) {
    this.#breaker = breaker;
    this.#store = store;
    // The hash tag keeps one breaker's keys in one Redis Cluster slot, as its scripts need.
    const base = `${store.keyPrefix}{${breaker.name}}`;
    this.#stateKey = base;
    this.#leaseKey = `${base}:lease`;
    this.#fenceKey = `${base}:fence`;
    this.#countsPrefix = `${base}:counts:`;
  }

  recordOutcome(failed: boolean, slow: boolean): void {
    this.#calls++;
    if (failed) this.#failures++;
    if (slow) this.#slowCalls++;
  }

  transitioned(state: SharedBreakerState, reason: StateChangeReason): void {
    if (!sharedStates.has(state.state)) return;
    this.#unpublished = { state, fenced: reason === 'trial_succeeded' || reason === 'trial_failed' };
    void this.#publish();
  }

  acquireTrialLease(now: number): boolean {
    if (this.hasTrialLease(now)) return true;
    if (!this.#acquiring && now >= this.#leaseFreeAt) void this.#acquire();
    return false;
  }

  hasTrialLease(now: number): boolean {
    return !this.#store.connected() || (this.#token !== undefined && now < this.#leaseExpiresAt);
  }

  leaseRetryAfterMs(now: number): number {
    return Math.max(this.#store.syncIntervalMs, this.#leaseFreeAt - now);
  }

  status(): SharedStateStatus {
    return {
      connected: this.#store.connected(),
      lastError: this.#store.lastError(),
      aggregate: this.#aggregate,
      holdsTrialLease: this.#token !== undefined && this.#store.clock.now() < this.#leaseExpiresAt,
    };
  }

  /** Publishes what is pending, flushes counted outcomes and applies what other processes decided. */
  async sync(): Promise<void> {
    if (this.#unpublished !== undefined && !(await this.#publish())) return;
    const store = this.#store;
    const now = store.clock.now();
    const calls = this.#calls;
    const failures = this.#failures;
    const slowCalls = this.#slowCalls;
    this.#calls = this.#failures = this.#slowCalls = 0;
    const reply = await store.run(
      syncScript,
      [this.#stateKey],
      [
        calls,
        failures,
        slowCalls,
        this.#epoch,
        Math.floor(now / store.bucketMs),
        store.buckets,
        store.bucketMs * (store.buckets + 1),
        this.#countsPrefix,
      ],
    );
    if (reply === undefined) {
      // Kept for the next flush, so an outage loses no outcomes.
      this.#calls += calls;
      this.#failures += failures;
      this.#slowCalls += slowCalls;
      return;
    }
    const values = reply as readonly (string | number)[];
    // A local change still on its way must not be undone by what the store held before it.
    if (this.#unpublished === undefined) this.#apply(values.slice(0, 5), false);
    this.#aggregate = {
      calls: Number(values[5]),
      failures: Number(values[6]),
      slowCalls: Number(values[7]),
    };
    this.#breaker.applySharedCounts(this.#aggregate);
  }

  #publish(): Promise<boolean> {
    this.#publishing ??= this.#publishPending().finally(() => {
      this.#publishing = undefined;
    });
    return this.#publishing;
  }

  async #publishPending(): Promise<boolean> {
    const pending = this.#unpublished;
    if (pending === undefined) return true;
    const { state, openedAt, nextAttemptAt } = pending.state;
    const token = this.#token ?? '';
    this.#token = undefined;
    const reply = await this.#store.run(
      publishScript,
      [this.#stateKey, this.#leaseKey],
      [state, openedAt ?? '', nextAttemptAt, token, pending.fenced ? '1' : '0', this.#store.keyTtlMs],
    );
    if (reply === undefined) return false;
    // A newer local change may have queued while this one was in flight; it publishes next.
    if (this.#unpublished === pending) this.#unpublished = undefined;
    const values = reply as readonly (string | number)[];
    if (Number(values[0]) === 1) {
      this.#appliedVersion = String(values[4]);
      this.#epoch = String(values[5]);
    } else {
      this.#apply(values.slice(1), true);
    }
    return true;
  }

  async #acquire(): Promise<void> {
    this.#acquiring = true;
    const store = this.#store;
    const requestedAt = store.clock.now();
    const reply = (await store.run(
      leaseScript,
      [this.#leaseKey, this.#fenceKey, this.#stateKey],
      [store.leaseTtlMs, store.keyTtlMs],
    )) as readonly number[] | undefined;
    this.#acquiring = false;
    if (reply === undefined) return;
    const now = store.clock.now();
    const [granted = 0, value = 0] = reply;
    if (granted === 1) {
      this.#token = String(value);
      this.#leaseExpiresAt = requestedAt + store.leaseTtlMs;
    } else {
      // Held elsewhere (wait until it frees) or no longer open (the next sync tells what it is).
      this.#leaseFreeAt = now + (granted === 0 && value > 0 ? value : store.syncIntervalMs);
    }
  }

  // Applies a stored state; `force` when this process's own change was refused and it must follow the store.
  #apply(values: readonly (string | number)[], force: boolean): void {
    const [state = '', openedAt = '', nextAttemptAt = '', version = '0', epoch = '0'] = values.map(String);
    const changed = version !== this.#appliedVersion;
    this.#appliedVersion = version;
    this.#epoch = epoch;
    if (state === '' || !(changed || force)) return;
    this.#breaker.applySharedState({
      state: state as CircuitState,
      openedAt: openedAt === '' ? undefined : Number(openedAt),
      nextAttemptAt: Number(nextAttemptAt),
    });
  }
}
