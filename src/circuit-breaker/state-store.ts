import { type Rule, rules } from '../core/index.js';
import type { CircuitState, StateChangeReason } from './circuit-state.js';

/** A breaker's state as a store shares it between processes. */
export interface SharedBreakerState {
  readonly state: CircuitState;
  /** When the breaker opened; `undefined` unless open. */
  readonly openedAt: number | undefined;
  /** While open, when the cooldown ends. */
  readonly nextAttemptAt: number;
}

/** Outcome counts summed over every process sharing a breaker. */
export interface SharedOutcomeCounts {
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
}

/** What a breaker's `getStatus()` reports about its shared state. */
export interface SharedStateStatus {
  /** Whether the store reached its backend on its last attempt; while `false` the breaker runs on local state. */
  readonly connected: boolean;
  /** The last error the store met, kept until it reconnects. */
  readonly lastError: Error | undefined;
  /** Outcomes counted by every process over the store's window, as last read. */
  readonly aggregate: SharedOutcomeCounts;
  /** Whether this process holds the half-open trial lease. */
  readonly holdsTrialLease: boolean;
}

/** What a store may do to a breaker attached to it. */
export interface SharedBreaker {
  readonly name: string;
  /** The breaker's state now, without moving it. */
  sharedState(): SharedBreakerState;
  /** Applies a state another process decided; fires `onStateChange` with reason `'shared_state'`. */
  applySharedState(state: SharedBreakerState): void;
  /** Opens a closed breaker when outcomes counted across processes reach a rate threshold. */
  applySharedCounts(counts: SharedOutcomeCounts): void;
}

/**
 * A breaker's side of a store. Every method is synchronous and never throws: a store does
 * its network work in the background and answers from what it last learned.
 */
export interface BreakerStateLink {
  /** Counts one outcome; called on every call, so it must only bump counters. */
  recordOutcome(failed: boolean, slow: boolean): void;
  /** Reports a local state change, for the store to publish. */
  transitioned(state: SharedBreakerState, reason: StateChangeReason): void;
  /**
   * Whether this process may run half-open trial calls now. A store that is not holding
   * the lease starts acquiring it and answers `false`; an unreachable store answers `true`.
   */
  acquireTrialLease(now: number): boolean;
  /** Whether this process holds the lease now (or the store is unreachable); starts nothing. */
  hasTrialLease(now: number): boolean;
  /** How long a caller refused for want of the lease should wait. */
  leaseRetryAfterMs(now: number): number;
  status(): SharedStateStatus;
}

/**
 * Shares breaker state between processes. Passed as `CircuitBreakerConfig.stateStore`;
 * `RedisBreakerStateStore` from `bulwark/redis` implements it.
 */
export interface BreakerStateStore {
  /** Called once by each breaker created with this store. */
  attach(breaker: SharedBreaker): BreakerStateLink;
}

export const stateStoreRule: Rule = rules.withMethods('a BreakerStateStore with attach(breaker)', 'attach');
