import {
  type AnyMethod,
  type CallSite,
  decorateMethod,
  functionSite,
  type MethodDecorator,
} from './decorate.js';
import type { PolicyMetadata } from './metadata.js';
import { type Policy, type PolicyContext, run } from './policy.js';

/** Finds the policy for one call; `self` is the call's `this`. */
export type PolicyResolver = (self: unknown) => Policy;

/** Options every higher-order function and decorator accepts. */
export interface WrapOptions {
  /**
   * Append the call's `AbortSignal` as one extra last argument, so the function can cancel
   * its work when the policy gives up on it (a timeout, a lost hedge).
   * @default false
   */
  passSignal?: boolean | undefined;
}

/**
 * The one higher-order wrapper: runs every call of `fn` through the policy that `resolve`
 * returns, keeping `this`, the arguments and, for policies that allow it, synchronous results.
 */
export function wrapWithPolicy<F extends AnyMethod>(fn: F, resolve: PolicyResolver, passSignal = false): F {
  const wrapped = passSignal
    ? function (this: unknown, ...args: unknown[]) {
        return run(resolve(this), (context: PolicyContext) => fn.call(this, ...args, context.signal));
      }
    : function (this: unknown, ...args: unknown[]) {
        return run(resolve(this), () => fn.apply(this, args));
      };
  Object.defineProperty(wrapped, 'name', { value: fn.name, configurable: true });
  return wrapped as F;
}

type Result<Async extends boolean, R> = Async extends true ? Promise<Awaited<R>> : R;

/** A policy's higher-order function and decorator in one: `withX(options)(fn)` or `@withX(options)`. */
export type PolicyFaces<Async extends boolean = true, PassSignal extends boolean = false> = MethodDecorator &
  (PassSignal extends true
    ? <A extends unknown[], R>(fn: (...args: [...A, AbortSignal]) => R) => (...args: A) => Result<Async, R>
    : <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A) => Result<Async, R>);

/** Whether options ask for the call's signal to be appended, as a type. */
export type PassesSignal<O> = O extends { passSignal: true } ? true : false;

/**
 * Builds a policy's two surfaces from one description: called with a function it is the
 * higher-order function, called as a decorator it wraps the method in either mode.
 *
 * @param resolverFor - given where the function lives, returns how each call finds its policy.
 */
export function policyFaces<Async extends boolean, PassSignal extends boolean>(
  decoratorName: string,
  entry: PolicyMetadata,
  resolverFor: (site: CallSite) => PolicyResolver,
  passSignal: boolean | undefined,
): PolicyFaces<Async, PassSignal> {
  const transform = (method: AnyMethod, site: CallSite): AnyMethod =>
    wrapWithPolicy(method, resolverFor(site), passSignal === true);
  return function faces(...args: unknown[]): unknown {
    if (args.length === 1 && typeof args[0] === 'function') {
      const fn = args[0] as AnyMethod;
      return transform(fn, functionSite(fn));
    }
    return decorateMethod(args, decoratorName, entry, transform);
  } as PolicyFaces<Async, PassSignal>;
}
