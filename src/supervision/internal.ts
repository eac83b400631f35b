import { isThenable } from '../core/index.js';

/** The supervisor's own mailbox message that runs restarts once a backoff has elapsed. */
export const RESTART_DUE = 'restart_due';

/** Stops a supervisor's children (reverse start order) when its incarnation ends. */
export const stopChildrenKey = Symbol('bulwark.supervisor.stopChildren');

/** Tells a supervisor that its parent resumed it after it escalated. */
export const resumedKey = Symbol('bulwark.supervisor.resumed');

/** Terminates a supervisor's children at once, without hooks. */
export const killChildrenKey = Symbol('bulwark.supervisor.killChildren');

/** Runs `work`, waiting at most `ms`; resolves whether it finished in time. Never rejects. */
export function bounded(
  work: () => unknown,
  ms: number,
  clock: { setTimeout(cb: () => void, ms: number): unknown; clearTimeout(handle: unknown): void },
  onError: (error: unknown) => void,
): Promise<boolean> {
  let settled: Promise<boolean>;
  try {
    settled = Promise.resolve(work()).then(
      () => true,
      (error: unknown) => {
        onError(error);
        return true;
      },
    );
  } catch (error) {
    onError(error);
    return Promise.resolve(true);
  }
  if (!Number.isFinite(ms)) return settled;
  let timer: unknown;
  const expired = new Promise<boolean>((resolve) => {
    timer = clock.setTimeout(() => resolve(false), ms);
  });
  return Promise.race([settled, expired]).finally(() => clock.clearTimeout(timer));
}

/** What a handler returns to reject an `ask` without counting as a failure (a refused request). */
export class Refusal {
  constructor(readonly error: unknown) {}
}

/** Turns a request's rejection into a {@link Refusal}, so a bad request never fails the actor. */
export function refuseOnError(work: () => unknown): unknown {
  try {
    const result = work();
    return isThenable(result)
      ? Promise.resolve(result).then(undefined, (error: unknown) => new Refusal(error))
      : result;
  } catch (error) {
    return new Refusal(error);
  }
}

/**
 * What a handler returns to answer an `ask` later without holding its mailbox: used for a
 * request that stops the actor itself, which must not wait for its own handler.
 */
export class Detached {
  constructor(readonly answer: Promise<unknown>) {}
}
