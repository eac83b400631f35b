import { endAttemptSetup } from './attempt-start.js';
import type { Policy, PolicyContext, PolicyFunction } from './policy.js';

/** Receives the outcome of a call: one of the two is called, once. */
export interface Continuation<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** The policies of a call, then its function, each at a position. */
export interface Chain<T> {
  /** Runs one attempt through the policy at `position`, those after it and the function. */
  proceed(position: number, context: PolicyContext, continuation: Continuation<T>): void;
}

/**
 * Implemented by policies that can run inside a pipeline by passing outcomes on, instead of
 * each wrapping the promise of the policy inside it: a whole pipeline then costs one promise.
 */
export const runChained = Symbol.for('bulwark.runChained');

/** A policy that supports {@link runChained}. */
export interface ChainablePolicy extends Policy {
  /** Runs one attempt as the policy at `position` of `chain`; the rest starts at `position + 1`. */
  [runChained]<T>(
    chain: Chain<T>,
    position: number,
    context: PolicyContext,
    continuation: Continuation<T>,
  ): void;
}

/** Whether `policy` supports {@link runChained}. */
export function isChainable(policy: Policy): policy is ChainablePolicy {
  return typeof (policy as Partial<ChainablePolicy>)[runChained] === 'function';
}

/** Whether `value` has a `then` method, as a promise does. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** Calls `fn` and passes its outcome, synchronous or not, to `continuation`. */
export function invoke<T>(
  fn: PolicyFunction<T>,
  context: PolicyContext,
  continuation: Continuation<T>,
): void {
  endAttemptSetup();
  let result: T | PromiseLike<T>;
  try {
    result = fn(context);
  } catch (error) {
    continuation.reject(error);
    return;
  }
  if (isThenable(result)) {
    // Promise.resolve returns a native promise as is, and calls a foreign thenable's `then` safely.
    // Bound methods cost less than closures: V8 builds them without a context and calls them
    // without first linking their code.
    Promise.resolve(result).then(
      continuation.resolve.bind(continuation),
      continuation.reject.bind(continuation),
    );
  } else continuation.resolve(result);
}

// The promise executor is one shared function, not a closure per call: it stores the settle
// functions on the settlement being awaited.
let awaited: Settlement<unknown> | undefined;

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

/**
 * The outcome of a chained run as a caller sees it: the value (or a throw) when the run
 * settled synchronously, or else a promise of it.
 */
export class Settlement<T> implements Continuation<T> {
  #state = PENDING;
  #value: unknown;
  #resolve: ((value: T) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;

  resolve(value: T): void {
    if (this.#resolve !== undefined) this.#resolve(value);
    else if (this.#state === PENDING) {
      this.#state = FULFILLED;
      this.#value = value;
    }
  }

  reject(error: unknown): void {
    if (this.#reject !== undefined) this.#reject(error);
    else if (this.#state === PENDING) {
      this.#state = REJECTED;
      this.#value = error;
    }
  }

  /** Call after the synchronous part of the run: its value, its error thrown, or a promise of the rest. */
  result(): T | Promise<T> {
    if (this.#state === FULFILLED) return this.#value as T;
    if (this.#state === REJECTED) throw this.#value;
    awaited = this as Settlement<unknown>;
    return new Promise<T>(Settlement.#capture);
  }

  static #capture(resolve: (value: any) => void, reject: (error: unknown) => void): void {
    awaited!.#resolve = resolve;
    awaited!.#reject = reject;
    awaited = undefined;
  }
}

/**
 * Runs `chain` from `position` and answers like a {@link SyncCapablePolicy}: synchronously
 * when it settled so, else with a promise.
 */
export function settle<T>(chain: Chain<T>, position: number, context: PolicyContext): T | Promise<T> {
  const settlement = new Settlement<T>();
  try {
    chain.proceed(position, context, settlement);
  } finally {
    endAttemptSetup();
  }
  return settlement.result();
}

/** The outcome of `settlement` as a promise, whether it settled synchronously or not. */
export function settledPromise<T>(settlement: Settlement<T>): Promise<T> {
  try {
    return Promise.resolve(settlement.result());
  } catch (error) {
    return Promise.reject(error);
  }
}
