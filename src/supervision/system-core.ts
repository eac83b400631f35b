import { type Clock, EventEmitter } from '../core/index.js';
import { type ActorClass, attachContext } from './actor.js';
import type { ActorCell, CellHost, Incarnation, SentMessage } from './actor-cell.js';
import { LOCAL_NODE_ID } from './constants.js';
import { ActorAlreadyExistsError } from './errors.js';
import type { FailureRecord } from './failure.js';
import { killChildrenKey } from './internal.js';

/** A message that reached no actor: sent to a stopped actor or dropped when it stopped. */
export interface DeadLetterEvent {
  readonly actorId: string;
  readonly type: string;
  readonly payload: unknown;
}

/** A failure a supervisor handled, with the supervisor's id. */
export interface FailureEvent extends FailureRecord {
  readonly supervisorId: string;
}

/** Places actors on worker nodes; present when the system was given `nodes`. */
export interface NodeHost {
  spawn(cell: ActorCell, nodeId: string): Promise<Incarnation>;
  /** A node for `cell` other than `excludeNodeId`, or undefined when there is none. */
  choose(cell: ActorCell, excludeNodeId: string | undefined): string | undefined;
  canHost(actorClass: ActorClass): boolean;
  terminate(): Promise<void>;
  kill(): void;
}

/** The actor system's runtime, shared by its cells and supervisors. */
export class SystemCore implements CellHost {
  readonly cells = new Map<string, ActorCell>();
  readonly failures = new EventEmitter<FailureEvent>();
  readonly deadLetters = new EventEmitter<DeadLetterEvent>();
  readonly unhandled = new EventEmitter<unknown>();
  readonly sent = new EventEmitter<SentMessage>();
  nodes: NodeHost | undefined;
  root: ActorCell | undefined;
  closed = false;

  constructor(
    readonly facade: object,
    readonly clock: Clock,
    readonly askTimeoutMs: number,
    readonly handlerTimeoutMs: number,
    readonly shutdownTimeoutMs: number,
  ) {}

  reserve(actorId: string): void {
    if (this.cells.has(actorId)) throw new ActorAlreadyExistsError(actorId);
  }

  instantiate(cell: ActorCell, nodeId: string | undefined): Incarnation | Promise<Incarnation> {
    if (nodeId !== undefined && nodeId !== LOCAL_NODE_ID && this.nodes !== undefined) {
      return this.nodes.spawn(cell, nodeId);
    }
    const instance = new cell.spec.actorClass(cell.id, ...cell.spec.args);
    attachContext(instance, cell);
    cell.nodeId = LOCAL_NODE_ID;
    return instance;
  }

  reportFailure(cell: ActorCell, error: unknown): void {
    if (cell.parent === undefined) this.#rootFailed(cell, error);
    else
      cell.parent.enqueue(
        'child_failed',
        { childId: cell.id, error, incarnation: cell.incarnation },
        undefined,
      );
  }

  #rootFailed(root: ActorCell, error: unknown): void {
    if (this.unhandled.hasListeners) this.unhandled.emit(error);
    else {
      process.emitWarning(error instanceof Error ? error : String(error), {
        type: 'BulwarkUnhandledFailure',
        detail: 'A failure escalated past the root supervisor; the actors involved were stopped.',
      });
    }
    // The root has no parent: it keeps running, and what escalated to it stops.
    root.resume();
  }

  /** Stops every actor at once, without hooks, and terminates the nodes. */
  emergencyStop(): void {
    this.closed = true;
    this.root?.instance?.[killChildrenKey]?.();
    this.root?.kill();
    this.nodes?.kill();
  }

  reportExit(cell: ActorCell): void {
    cell.parent?.enqueue('child_terminated', { childId: cell.id, incarnation: cell.incarnation }, undefined);
  }

  deadLetter(actorId: string, type: string, payload: unknown): void {
    if (this.deadLetters.hasListeners) this.deadLetters.emit({ actorId, type, payload });
  }

  hookFailed(actorId: string, hook: string, error: unknown): void {
    process.emitWarning(error instanceof Error ? error : String(error), {
      type: 'BulwarkActorHookError',
      detail: `The ${hook} hook of actor "${actorId}" threw; the lifecycle went on.`,
    });
  }
}

const cores = new WeakMap<object, SystemCore>();

export function registerCore(system: object, core: SystemCore): void {
  cores.set(system, core);
}

export function coreOf(system: object): SystemCore {
  const core = cores.get(system);
  if (core === undefined) throw new TypeError('Not an ActorSystem');
  return core;
}
