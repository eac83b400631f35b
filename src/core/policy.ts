import { neverAbortedSignal } from './abort.js';
import {
  type Chain,
  type ChainablePolicy,
  type Continuation,
  invoke,
  isChainable,
  runChained,
  settle,
} from './chain.js';

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

/** `context` with another attempt number; its signal is read only when the function reads it. */
export function withAttempt(context: PolicyContext, attempt: number): PolicyContext {
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

/**
 * Runs the rest of `chain` under a policy that does not chain: through its `execute` (or its
 * synchronous path), the attempt number coming from the nearest policy that counts attempts.
 */
export function runUnchained<T>(
  policy: Policy,
  chain: Chain<T>,
  position: number,
  context: PolicyContext,
  continuation: Continuation<T>,
): void {
  invoke(
    // invoke ends the attempt's setup before the policy's own code runs.
    () =>
      run(
        policy,
        // The context goes on as the policy made it, so a signal created on first read stays unread.
        (inner) =>
          settle(
            chain,
            position + 1,
            inner.attempt > 1 || inner.attempt === context.attempt
              ? inner
              : withAttempt(inner, context.attempt),
          ),
        context.signal,
      ),
    context,
    continuation,
  );
}

/** A policy that only implements `execute`, taking its place in a chain. */
class UnchainedPolicy implements ChainablePolicy {
  constructor(readonly policy: Policy) {}

  execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    return this.policy.execute(fn, signal);
  }

  [runChained]<T>(
    chain: Chain<T>,
    position: number,
    context: PolicyContext,
    continuation: Continuation<T>,
  ): void {
    runUnchained(this.policy, chain, position, context, continuation);
  }
}

function chainable(policy: Policy): ChainablePolicy {
  return isChainable(policy) ? policy : new UnchainedPolicy(policy);
}

/**
 * One call through a pipeline: its policies by position, then the function, or, for a pipeline
 * nested in another, the rest of the outer chain; and, at the top, where the call's outcome goes.
 */
class PipelineRun<T> implements Chain<T> {
  constructor(
    readonly policies: readonly ChainablePolicy[],
    readonly fn: PolicyFunction<T> | undefined,
    readonly outer: Chain<T> | undefined,
    readonly outerPosition: number,
  ) {}

  proceed(position: number, context: PolicyContext, continuation: Continuation<T>): void {
    const policy = this.policies[position];
    if (policy !== undefined) policy[runChained](this, position, context, continuation);
    else if (this.outer !== undefined) this.outer.proceed(this.outerPosition + 1, context, continuation);
    else invoke(this.fn!, context, continuation);
  }
}

/** Policies composed outer to inner; itself a {@link Policy}. */
export class Pipeline implements SyncCapablePolicy, ChainablePolicy {
  /** The composed policies, outermost first. */
  readonly policies: readonly Policy[];
  readonly #chained: readonly ChainablePolicy[];

  constructor(policies: readonly Policy[]) {
    policies.forEach((policy, index) => {
      if (!isPolicy(policy)) {
        throw new TypeError(
          `pipeline(...policies): policies[${index}] must be a Policy with execute(), received ${typeof policy}`,
        );
      }
    });
    this.policies = Object.freeze([...policies]);
    this.#chained = policies.map(chainable);
  }

  execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    return executeSyncCapable(this, fn, signal);
  }

  [runSync]<T>(fn: PolicyFunction<T>, signal?: AbortSignal): T | Promise<T> {
    if (this.#chained.length === 0) return fn(contextFor(signal)) as T | Promise<T>;
    return settle(new PipelineRun<T>(this.#chained, fn, undefined, 0), 0, contextFor(signal));
  }

  [runChained]<T>(
    chain: Chain<T>,
    position: number,
    context: PolicyContext,
    continuation: Continuation<T>,
  ): void {
    new PipelineRun<T>(this.#chained, undefined, chain, position).proceed(0, context, continuation);
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
