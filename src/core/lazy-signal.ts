import { neverAbortedSignal } from './abort.js';
import type { PolicyContext } from './policy.js';

/**
 * Implemented by contexts that build their `AbortSignal` only when it is read (a timeout's):
 * policies inside them ask whether the call was aborted without building it.
 */
export const peekAbort = Symbol('bulwark.peekAbort');

/** A context whose signal is built on first read. */
export interface LazySignalContext extends PolicyContext {
  /** Why the call was aborted, if it was (as its signal would say); builds no signal. */
  [peekAbort](): { readonly reason: unknown } | undefined;
}

/** Whether `context` builds its signal on first read. */
export function hasLazySignal(context: PolicyContext): context is LazySignalContext {
  return typeof (context as Partial<LazySignalContext>)[peekAbort] === 'function';
}

/** Why the call of `context` was aborted, if it was, without building a lazy signal. */
export function abortOf(context: PolicyContext): { readonly reason: unknown } | undefined {
  if (hasLazySignal(context)) return context[peekAbort]();
  const signal = context.signal;
  return signal !== neverAbortedSignal && signal.aborted ? { reason: signal.reason } : undefined;
}
