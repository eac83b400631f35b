/** A handle whose `dispose()` releases what it holds; also usable with `using`. */
export interface Disposable {
  dispose(): void;
  [Symbol.dispose](): void;
}

/** Wraps a release function as an idempotent {@link Disposable}. */
export function toDisposable(release: () => void): Disposable {
  let released = false;
  const dispose = (): void => {
    if (released) return;
    released = true;
    release();
  };
  return { dispose, [Symbol.dispose]: dispose };
}
