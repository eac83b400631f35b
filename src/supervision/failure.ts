import { randomUUID } from 'node:crypto';
import type { SupervisionDirective } from './constants.js';

/** What a supervisor knows about one failure of a child; what `decide` is given. */
export interface FailureInfo {
  /** The failed actor's path from the root, e.g. `/root/payments/charger`; ends with its id. */
  readonly actorPath: string;
  /** The failed actor's id. */
  readonly actorId: string;
  /** The node the actor ran on: `'local'` for the main thread. */
  readonly nodeId: string;
  /** When the failure was seen, in ms on the system's clock. */
  readonly time: number;
  /** The thrown value. */
  readonly error: unknown;
  /** The error's `name` (`typeof` for a thrown non-error). */
  readonly errorType: string;
  /** How many times the actor had been restarted before this failure. */
  readonly restartCount: number;
  /** A unique id for this failure. */
  readonly failureId: string;
}

/** A failure and what the supervisor did about it, as kept in the failure history. */
export interface FailureRecord extends FailureInfo {
  readonly directive: SupervisionDirective;
}

/** Decides what to do with a failed child. */
export type Decider = (failure: FailureInfo) => SupervisionDirective;

export function errorTypeOf(error: unknown): string {
  if (error instanceof Error) return error.name;
  if (typeof error === 'object' && error !== null && typeof (error as Error).name === 'string') {
    return (error as Error).name;
  }
  return typeof error;
}

export function createFailureInfo(
  actorPath: string,
  actorId: string,
  nodeId: string,
  time: number,
  error: unknown,
  restartCount: number,
): FailureInfo {
  return Object.freeze({
    actorPath,
    actorId,
    nodeId,
    time,
    error,
    errorType: errorTypeOf(error),
    restartCount,
    failureId: randomUUID(),
  });
}
