import { type Clock, keepAlive, systemClock } from './clock.js';

/** A signal that never aborts, shared by calls that were given none, so they allocate nothing. */
export const neverAbortedSignal: AbortSignal = new AbortController().signal;

/**
 * Runs `onAborted` once when `signal` aborts, and returns a function that removes the
 * listener. Call the remover when the operation ends, so a caller's long-lived signal
 * does not collect listeners.
 */
export function onAbort(signal: AbortSignal | undefined, onAborted: (reason: unknown) => void): () => void {
  if (signal === undefined || signal === neverAbortedSignal) return noop;
  if (signal.aborted) {
    onAborted(signal.reason);
    return noop;
  }
  const listener = (): void => onAborted(signal.reason);
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

function noop(): void {}

/**
 * Resolves after `ms` on `clock`, or rejects with `signal.reason` as soon as the signal
 * aborts; leaves neither a timer nor a listener behind. While awaited, the sleep keeps the
 * process alive (see {@link keepAlive}).
 */
export function abortableSleep(ms: number, signal?: AbortSignal, clock: Clock = systemClock): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const removeListener = onAbort(signal, (reason) => {
      clock.clearTimeout(timer);
      reject(reason);
    });
    const timer = keepAlive(
      clock.setTimeout(() => {
        removeListener();
        resolve();
      }, ms),
    );
  });
}

/**
 * An AbortSignal for one call, linked to the caller's signal and created only when read:
 * a call whose function never looks at its signal pays for no AbortController.
 */
export class CallSignal {
  readonly #parent: AbortSignal | undefined;
  #controller: AbortController | undefined;
  #abortedWith: { reason: unknown } | undefined;
  #unlink: () => void = noop;

  constructor(parent?: AbortSignal) {
    this.#parent = parent;
  }

  /** The call's signal; aborts when the parent aborts or {@link abort} is called. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      if (this.#abortedWith !== undefined) controller.abort(this.#abortedWith.reason);
      else this.#unlink = onAbort(this.#parent, (reason) => controller.abort(reason));
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#abortedWith !== undefined || this.#parent?.aborted === true;
  }

  abort(reason: unknown): void {
    if (this.#abortedWith !== undefined) return;
    this.#abortedWith = { reason };
    this.#unlink();
    this.#controller?.abort(reason);
  }

  /** Detaches from the parent signal; call when the call has settled. */
  release(): void {
    this.#unlink();
    this.#unlink = noop;
  }
}
