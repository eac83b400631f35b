import { type Clock, onAbort } from '../core/index.js';

/**
 * Waits `ms` on `clock` before a retry, or rejects with `signal.reason` as soon as the signal
 * aborts. Unlike an idle timer, the delay keeps the process alive while a call awaits it (as
 * pending I/O would), so `await retry(...)` in a script does not exit midway; nothing is left
 * behind once it ends.
 */
export function retryDelay(ms: number, signal: AbortSignal | undefined, clock: Clock): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const removeListener = onAbort(signal, (reason) => {
      clock.clearTimeout(timer);
      reject(reason);
    });
    const timer = clock.setTimeout(() => {
      removeListener();
      resolve();
    }, ms);
    (timer as { ref?: () => void } | null)?.ref?.();
  });
}
