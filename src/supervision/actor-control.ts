import type { Disposable } from '../core/index.js';
import type { SentMessage } from './actor-cell.js';
import { ChildStatus, LOCAL_NODE_ID } from './constants.js';
import { coreOf } from './system-core.js';

/** One actor as seen from outside its mailbox, by {@link inspectActor}. */
export interface ActorInspection {
  readonly actorId: string;
  /** The actor's path from the root, e.g. `/root/payments/charger`. */
  readonly path: string;
  readonly status: ChildStatus;
  /** Whether delivery is held by {@link pauseMailbox}. */
  readonly paused: boolean;
  /** Messages waiting to be handled. */
  readonly mailboxSize: number;
  readonly restartCount: number;
  readonly nodeId: string;
  readonly isSupervisor: boolean;
  /** The parent supervisor's id; undefined for the root. */
  readonly parentId: string | undefined;
}

/** The ids of every actor the system holds (stopped ones excluded), root first. */
export function listActors(system: object): string[] {
  const ids: string[] = [];
  for (const [id, cell] of coreOf(system).cells) if (cell.status !== ChildStatus.STOPPED) ids.push(id);
  return ids;
}

/** What the system knows about an actor now, or undefined when there is no such actor. */
export function inspectActor(system: object, actorId: string): ActorInspection | undefined {
  const cell = coreOf(system).cells.get(actorId);
  if (cell === undefined || cell.status === ChildStatus.STOPPED) return undefined;
  return {
    actorId,
    path: cell.path,
    status: cell.status,
    paused: cell.paused,
    mailboxSize: cell.mailboxSize,
    restartCount: cell.restartCount,
    nodeId: cell.nodeId,
    isSupervisor: cell.spec.isSupervisor,
    parentId: cell.parent?.id,
  };
}

/**
 * Holds delivery to a worker actor: messages keep arriving and wait, in order, until
 * {@link resumeMailbox}; the message in flight finishes. The hold survives restarts.
 * Supervisors cannot be paused, as they must keep handling their children's failures.
 * @returns whether the actor is now paused (false for an unknown, stopped or supervisor actor).
 */
export function pauseMailbox(system: object, actorId: string): boolean {
  const cell = coreOf(system).cells.get(actorId);
  if (cell === undefined || cell.spec.isSupervisor || isEnding(cell.status)) return false;
  cell.pause();
  return true;
}

/**
 * Releases a hold made by {@link pauseMailbox}; waiting messages are delivered in order.
 * @returns whether the actor exists and is no longer paused.
 */
export function resumeMailbox(system: object, actorId: string): boolean {
  const cell = coreOf(system).cells.get(actorId);
  if (cell === undefined || isEnding(cell.status)) return false;
  cell.unpause();
  return true;
}

/**
 * Replaces the `state` of a local actor's current instance with `update(state)`. The change
 * applies at once, between two messages or while one is awaiting; pause the actor first for
 * a change no handler observes halfway. A restart still starts from a fresh instance.
 * @returns false for an unknown or stopped actor, or one running on a worker node.
 */
export function replaceActorState(
  system: object,
  actorId: string,
  update: (state: Record<string, unknown>) => object,
): boolean {
  const cell = coreOf(system).cells.get(actorId);
  if (cell === undefined || isEnding(cell.status) || cell.nodeId !== LOCAL_NODE_ID) return false;
  const instance = cell.instance as { state?: unknown } | undefined;
  if (instance === undefined || typeof instance.state !== 'object' || instance.state === null) return false;
  instance.state = update(instance.state as Record<string, unknown>);
  return true;
}

/**
 * Calls `listener` synchronously for every message sent through an `ActorRef` (`tell` or
 * `ask`) in the system, in the sender's own execution context.
 */
export function observeMessages(system: object, listener: (message: SentMessage) => void): Disposable {
  return coreOf(system).sent.subscribe(listener);
}

function isEnding(status: ChildStatus): boolean {
  return status === ChildStatus.STOPPED || status === ChildStatus.STOPPING;
}
