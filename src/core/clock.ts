/** An opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * The source of time for every time-based component. Inject `VirtualClock` from
 * `bulwark/testing` to drive time deterministically in tests.
 */
export interface Clock {
  /** Milliseconds since the epoch; never goes backwards on `systemClock`. */
  now(): number;
  /** Runs `callback` once after `ms` milliseconds. The timer must not keep the process alive. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

const origin = performance.timeOrigin;
// Each read of the global `performance` runs a getter, which costs a quarter of the read itself.
// The object found at load serves while the global setTimeout is still the one found with it;
// test fake timers replace both, and while they are installed the global is read each time.
const loadedPerformance = performance;
const loadedSetTimeout = setTimeout;

/**
 * The real clock: monotonic epoch milliseconds and unref'd timers. It reads the global
 * timer functions at call time, so test fake timers apply to it too (for `now()`, those that
 * replace `setTimeout` along with `performance`).
 */
export const systemClock: Clock = Object.freeze({
  now: () => origin + (setTimeout === loadedSetTimeout ? loadedPerformance : performance).now(),
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return timer;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
});

/**
 * Lets a timer hold the process open while a call awaits it, as the I/O it stands in for
 * would: `await limiter.execute(fn)` at the top of a script must not exit midway. Idle and
 * background timers stay unref'd. A no-op for clocks whose handles are not Node timers.
 */
export function keepAlive(handle: TimerHandle): TimerHandle {
  (handle as { ref?: () => void } | null)?.ref?.();
  return handle;
}
