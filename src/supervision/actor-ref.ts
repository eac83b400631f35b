import type { ActorClass } from './actor.js';
import type { ActorCell } from './actor-cell.js';
import type { ChildStatus, RestartPolicy } from './constants.js';
import { AskTimeoutError } from './errors.js';
import type { FailureRecord } from './failure.js';
import type { SupervisorActor } from './supervisor-actor.js';

/** Options of {@link ActorRef.ask}. */
export interface AskOptions {
  /**
   * How long to wait for the answer before rejecting with `AskTimeoutError`.
   * @default the actor system's `askTimeoutMs` (no limit unless set)
   */
  timeoutMs?: number | undefined;
}

/**
 * A handle to an actor that survives its restarts and relocations. Messages are handled
 * one at a time, in the order they were sent.
 */
export class ActorRef {
  readonly #cell: ActorCell;

  protected constructor(cell: ActorCell) {
    this.#cell = cell;
  }

  /** @internal */
  static create(cell: ActorCell): ActorRef {
    return cell.spec.isSupervisor ? new SupervisorRef(cell) : new ActorRef(cell);
  }

  /** The actor's id. */
  get actorId(): string {
    return this.#cell.id;
  }

  /** The actor's path from the root, e.g. `/root/payments/charger`. */
  get path(): string {
    return this.#cell.path;
  }

  /** Sends a message without waiting. A message to a stopped actor becomes a dead letter. */
  tell(type: string, payload?: unknown): void {
    const cell = this.#cell;
    if (cell.host.sent.hasListeners) cell.host.sent.emit({ actorId: cell.id, type, payload });
    cell.enqueue(type, payload, undefined);
  }

  /**
   * Sends a message and resolves with what `receive` returns. Rejects with the handler's
   * error, with `ActorStoppedError` when the actor is stopped, or with `AskTimeoutError`.
   */
  ask<R = unknown>(type: string, payload?: unknown, options?: AskOptions): Promise<R> {
    const cell = this.#cell;
    const timeoutMs = options?.timeoutMs ?? cell.host.askTimeoutMs;
    if (!(timeoutMs > 0)) {
      throw new RangeError(
        `AskOptions.timeoutMs must be a duration in ms > 0, received ${String(timeoutMs)}`,
      );
    }
    if (cell.host.sent.hasListeners) cell.host.sent.emit({ actorId: cell.id, type, payload });
    if (timeoutMs === Number.POSITIVE_INFINITY) {
      const answer = cell.askIdle(type, payload);
      if (answer !== undefined) return answer as Promise<R>;
    }
    return new Promise<R>((resolve, reject) => {
      if (timeoutMs === Number.POSITIVE_INFINITY) {
        cell.enqueue(type, payload, { resolve: resolve as (value: unknown) => void, reject });
        return;
      }
      const clock = cell.host.clock;
      const timer = clock.setTimeout(() => reject(new AskTimeoutError(cell.id, type, timeoutMs)), timeoutMs);
      cell.enqueue(type, payload, {
        resolve(value) {
          clock.clearTimeout(timer);
          resolve(value as R);
        },
        reject(error) {
          clock.clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  /** @internal */
  protected get cell(): ActorCell {
    return this.#cell;
  }
}

/** Options of {@link SupervisorRef.createChild}. */
export interface ChildOptions<A extends unknown[] = unknown[]> {
  /** Arguments passed to the child's constructor after its id. @default [] */
  args?: A | undefined;
  /** When the child is restarted. @default the supervisor strategy's `restartPolicy` */
  restartPolicy?: RestartPolicy | undefined;
  /** How long the child's in-flight message and `postStop` get when it stops. @default 5000 */
  shutdownTimeoutMs?: number | undefined;
  /** How long one message may take before the child counts as failed. @default the system's `handlerTimeoutMs` */
  handlerTimeoutMs?: number | undefined;
  /**
   * Run the child on a worker node: `true` picks one by the placement strategy, a string
   * names one. The class must be exported from the module its static `moduleUrl` names.
   * @default false
   */
  node?: boolean | string | undefined;
}

/** One child as reported by {@link SupervisorRef.whichChildren}. */
export interface ChildInfo {
  readonly id: string;
  readonly status: ChildStatus;
  readonly type: 'worker' | 'supervisor';
  readonly restartCount: number;
  readonly nodeId: string;
}

/** Child counts as reported by {@link SupervisorRef.countChildren}, as in OTP. */
export interface ChildCounts {
  /** Every child the supervisor holds, stopped ones included. */
  readonly specs: number;
  /** Children running now. */
  readonly active: number;
  readonly supervisors: number;
  readonly workers: number;
}

/** A supervisor's counters, as reported by {@link SupervisorRef.getSupervisionStats}. */
export interface SupervisionStats {
  readonly supervisorId: string;
  readonly strategy: 'one_for_one' | 'all_for_one' | 'rest_for_one';
  readonly children: number;
  readonly activeChildren: number;
  readonly totalFailures: number;
  readonly totalRestarts: number;
  readonly totalRelocations: number;
  readonly escalations: number;
  /** Failures inside the current window, compared with `maxFailures`. */
  readonly failuresInWindow: number;
  readonly maxFailures: number;
  readonly withinTimeWindowMs: number;
}

/**
 * A reference to a supervisor. Changes (`createChild`, `stopChild`, `restartChild`,
 * `stopAllChildren`) go through the supervisor's mailbox, so they are ordered with the
 * failures it handles; reads answer at once and are exact.
 */
export class SupervisorRef extends ActorRef {
  /**
   * Creates and starts a child; resolves with its reference (a `SupervisorRef` for a
   * supervisor child) once its `preStart` has run.
   * @throws ActorAlreadyExistsError when the id is taken; ActorStartError when the child fails to start.
   */
  createChild<A extends unknown[]>(
    ChildClass: ActorClass<A, SupervisorActor>,
    childId: string,
    options?: ChildOptions<A>,
  ): Promise<SupervisorRef>;
  createChild<A extends unknown[]>(
    ChildClass: ActorClass<A>,
    childId: string,
    options?: ChildOptions<A>,
  ): Promise<ActorRef>;
  createChild(ChildClass: ActorClass, childId: string, options?: ChildOptions): Promise<ActorRef> {
    return this.ask('create_child', { childClass: ChildClass, childId, options });
  }

  /** Stops a child for good (never restarted); its spec stays for `restartChild`. Resolves `false` for an unknown id. */
  stopChild(childId: string): Promise<boolean> {
    return this.ask('stop_child', { childId });
  }

  /**
   * Starts a fresh instance of a stopped child, or stops and restarts a running one.
   * @throws ActorNotFoundError for an unknown id.
   */
  restartChild(childId: string): Promise<ActorRef> {
    return this.ask('restart_child', { childId });
  }

  /** Stops every child in reverse start order and removes them. */
  stopAllChildren(): Promise<void> {
    return this.ask('stop_all_children');
  }

  /** The children in start order with their status. */
  whichChildren(): ChildInfo[] {
    return this.#supervisor.whichChildren();
  }

  countChildren(): ChildCounts {
    return this.#supervisor.countChildren();
  }

  getSupervisionStats(): SupervisionStats {
    return this.#supervisor.getSupervisionStats();
  }

  /** Recent failures of the children (up to 100), oldest first, with the directive applied. */
  getFailureHistory(): FailureRecord[] {
    return this.#supervisor.getFailureHistory();
  }

  get #supervisor(): SupervisorActor {
    return this.cell.instance as unknown as SupervisorActor;
  }
}
