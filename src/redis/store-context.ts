import type { Clock } from '../core/index.js';
import type { Script } from './scripts.js';

/** What a store shares with the links of its breakers. */
export interface StoreContext {
  readonly keyPrefix: string;
  readonly syncIntervalMs: number;
  /** The aggregation window is `buckets` buckets of `bucketMs` each. */
  readonly bucketMs: number;
  readonly buckets: number;
  readonly leaseTtlMs: number;
  /** How long a breaker's state outlives its last change in Redis. */
  readonly keyTtlMs: number;
  readonly clock: Clock;
  connected(): boolean;
  lastError(): Error | undefined;
  /** Runs a script; resolves `undefined` instead of rejecting when Redis fails. */
  run(script: Script, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}
