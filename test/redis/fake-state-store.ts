import type {
  BreakerStateLink,
  BreakerStateStore,
  SharedBreaker,
  SharedBreakerState,
  StateChangeReason,
} from '../../src/circuit-breaker/index.js';

/** A store that keeps everything in memory and lets a test decide what Redis would answer. */
export class FakeStore implements BreakerStateStore {
  breakers: SharedBreaker[] = [];
  breaker: SharedBreaker | undefined;
  connected = true;
  leaseGranted = false;
  leaseRequests = 0;
  outcomes: Array<[failed: boolean, slow: boolean]> = [];
  published: Array<[SharedBreakerState, StateChangeReason]> = [];

  attach(breaker: SharedBreaker): BreakerStateLink {
    this.breaker = breaker;
    this.breakers.push(breaker);
    return {
      recordOutcome: (failed, slow) => {
        this.outcomes.push([failed, slow]);
      },
      transitioned: (state, reason) => {
        this.published.push([state, reason]);
      },
      acquireTrialLease: () => {
        if (this.hasLease()) return true;
        this.leaseRequests++;
        return false;
      },
      hasTrialLease: () => this.hasLease(),
      leaseRetryAfterMs: () => 50,
      status: () => ({
        connected: this.connected,
        lastError: this.connected ? undefined : new Error('connection refused'),
        aggregate: { calls: 0, failures: 0, slowCalls: 0 },
        holdsTrialLease: this.leaseGranted,
      }),
    };
  }

  private hasLease(): boolean {
    return !this.connected || this.leaseGranted;
  }
}
