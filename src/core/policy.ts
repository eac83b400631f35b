import { neverAbortedSignal } from './abort.js';

/** What a policy passes to the function it runs. */
export interface PolicyContext {
  /** Aborts when the caller's signal aborts or the policy gives up on the call (a timeout, a lost hedge). */
  readonly signal: AbortSignal;
  /** 1 for the first attempt; a retry policy counts up from there. */
  readonly attempt: number;
}

/** The function a policy runs. */
export type PolicyFunction<T> = (context: PolicyContext) => T | PromiseLike<T>;

/** A resilience policy: runs a function under its rules. Every bulwark policy implements it, so they nest. */
export interface Policy {
  /**
   * Runs `fn` under this policy.
   *
   * @param signal - cancels the call; the returned promise then rejects with `signal.reason`.
   */
  execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T>;
}

/**
 * Implemented by policies that can run a synchronous function without turning its result
 * into a promise (a closed breaker, a fallback): wrappers use it so sync methods stay sync.
 */
export const runSync = Symbol.for('bulwark.runSync');

/** A policy that may return synchronously; see {@link runSync}. */
export interface SyncCapablePolicy extends Policy {
  [runSync]<T>(fn: PolicyFunction<T>, signal?: AbortSignal): T | Promise<T>;
}

/**
 * `execute` for a {@link SyncCapablePolicy}: runs its synchronous path and always answers
 * with a promise, a synchronous throw becoming a rejection.
 */
export function executeSyncCapable<T>(
  policy: SyncCapablePolicy,
  fn: PolicyFunction<T>,
  signal: AbortSignal | undefined,
): Promise<T> {
  try {
    return Promise.resolve(policy[runSync](fn, signal));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Runs `fn` under `policy`, synchronously when the policy allows it. */
export function run<T>(policy: Policy, fn: PolicyFunction<T>, signal?: AbortSignal): T | Promise<T> {
  const sync = (policy as Partial<SyncCapablePolicy>)[runSync];
  return sync === undefined ? policy.execute(fn, signal) : (sync.call(policy, fn, signal) as T | Promise<T>);
}

/** A context with no cancellation and a first attempt, shared so a plain call allocates nothing. */
export const firstAttemptContext: PolicyContext = Object.freeze({ signal: neverAbortedSignal, attempt: 1 });

/** Builds the context for an attempt, reusing the shared one when nothing is specific to the call. */
export function contextFor(signal: AbortSignal | undefined, attempt = 1): PolicyContext {
  return (signal === undefined || signal === neverAbortedSignal) && attempt === 1
    ? firstAttemptContext
    : { signal: signal ?? neverAbortedSignal, attempt };
}

function withAttempt(context: PolicyContext, attempt: number): PolicyContext {
  return {
    get signal() {
      return context.signal;
    },
    attempt,
  };
}

/** Whether `value` looks like a {@link Policy}. */
export function isPolicy(value: unknown): value is Policy {
  return typeof value === 'object' && value !== null && typeof (value as Policy).execute === 'function';
}

/** Policies composed outer to inner; itself a {@link Policy}. */
export class Pipeline implements SyncCapablePolicy {
  /** The composed policies, outermost first. */
  readonly policies: readonly Policy[];

  constructor(policies: readonly Policy[]) {
    policies.forEach((policy, index) => {
      if (!isPolicy(policy)) {
        throw new TypeError(
          `pipeline(...policies): policies[${index}] must be a Policy with execute(), received ${typeof policy}`,
        );
      }
    });
    this.policies = Object.freeze([...policies]);
  }

  execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    return executeSyncCapable(this, fn, signal);
  }

  [runSync]<T>(fn: PolicyFunction<T>, signal?: AbortSignal): T | Promise<T> {
    return this.#step(0, fn, signal, 1);
  }

  #step<T>(
    index: number,
    fn: PolicyFunction<T>,
    signal: AbortSignal | undefined,
    attempt: number,
  ): T | Promise<T> {
    const policy = this.policies[index];
    if (policy === undefined) return fn(contextFor(signal, attempt)) as T | Promise<T>;
    const innermost = index === this.policies.length - 1;
    return run(
      policy,
      (context) => {
        // The attempt number comes from the nearest policy that counts attempts (a retry).
        const effective = context.attempt > 1 ? context.attempt : attempt;
        if (!innermost) return this.#step(index + 1, fn, context.signal, effective);
        // The innermost context goes to fn as it is, so a signal created on first read stays unread.
        return fn(effective === context.attempt ? context : withAttempt(context, effective));
      },
      signal,
    );
  }
}

/**
 * Composes policies outer to inner: `pipeline(retry, breaker, timeout)` retries calls
 * that go through the breaker, each attempt bounded by the timeout.
 *
 * @example
 * const resilient = pipeline(new RetryPolicy({ maxRetries: 2 }), getCircuitBreaker('api'), new TimeoutPolicy(1000));
 * const user = await resilient.execute(({ signal }) => fetch(url, { signal }));
 */
export function pipeline(...policies: Policy[]): Pipeline {
  return new Pipeline(policies);
}
