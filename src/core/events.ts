import { type Disposable, toDisposable } from './disposable.js';

/** A function that receives one event. */
export type Listener<T> = (event: T) => void;

/** Subscribes a listener; the returned handle unsubscribes it. */
export type Event<T> = (listener: Listener<T>) => Disposable;

/**
 * A typed event source. Emitting costs one length check when nobody listens, and a
 * listener that throws is reported as a process warning instead of breaking the caller.
 */
export class EventEmitter<T> {
  // Replaced, never mutated, so a listener may unsubscribe while an event is being emitted.
  #listeners: readonly Listener<T>[] = [];

  /** Subscribes a listener; dispose the result to unsubscribe. */
  readonly subscribe: Event<T> = (listener) => {
    if (typeof listener !== 'function') {
      throw new TypeError(`listener must be a function, received ${typeof listener}`);
    }
    this.#listeners = [...this.#listeners, listener];
    return toDisposable(() => {
      this.#listeners = this.#listeners.filter((candidate) => candidate !== listener);
    });
  };

  /** Whether any listener is subscribed; lets callers skip building an event nobody reads. */
  get hasListeners(): boolean {
    return this.#listeners.length > 0;
  }

  emit(event: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        process.emitWarning(error instanceof Error ? error : String(error), {
          type: 'BulwarkListenerError',
          detail: 'An event listener threw; the error was isolated from the policy.',
        });
      }
    }
  }
}
