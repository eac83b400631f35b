import type { ActorRef } from './actor-ref.js';
import type { ActorSystem } from './actor-system.js';
import type { FailureInfo } from './failure.js';

/** What an actor instance reaches its runtime through. */
export interface ActorContext {
  readonly ref: ActorRef;
  /** The system the actor runs in; absent on a worker node. */
  readonly system: ActorSystem | undefined;
  /** Ends the actor normally (`this.stop()`). */
  stopSelf(): void;
}

const attachKey = Symbol.for('bulwark.actor.attach');

/** An actor class: constructed with its id and the creation arguments. */
export type ActorClass<A extends unknown[] = any[], T extends Actor<any> = Actor<any>> = new (
  actorId: string,
  ...args: A
) => T;

/**
 * An object that handles messages one at a time, in order, under a supervisor. Subclasses
 * override {@link Actor.receive}; its return value answers `ask`, and a throw (or a
 * rejected promise) is a failure reported to the supervisor.
 *
 * `state` should be a JSON-serialisable object: a resumed actor keeps it, a restarted one
 * starts from a freshly constructed instance.
 *
 * @example
 * class Counter extends Actor<{ count: number }> {
 *   override state = { count: 0 };
 *   receive(type: string, payload: { by: number }) {
 *     if (type === 'add') this.state.count += payload.by;
 *     return this.state.count;
 *   }
 * }
 * const counter = await system.createActor(Counter, 'counter');
 * await counter.ask('add', { by: 2 }); // 2
 */
export abstract class Actor<S extends object = Record<string, unknown>> {
  /** The actor's id, unique in its actor system. */
  readonly actorId: string;
  /** The actor's state; keep it JSON-serialisable. */
  state: S = {} as S;
  #context: ActorContext | undefined;

  constructor(actorId: string) {
    this.actorId = actorId;
  }

  /** Handles one message. Sync or async; the value answers `ask`; a throw is a failure. */
  abstract receive(type: string, payload: unknown): unknown;

  /** Runs before the first message of every incarnation (first start, restart, relocation). */
  preStart(): void | Promise<void> {}

  /** Runs when the actor stops for good, bounded by its shutdown timeout. */
  postStop(): void | Promise<void> {}

  /** Runs on the failed (or bystander) instance before it is replaced. */
  beforeRestart(_failure: FailureInfo): void | Promise<void> {}

  /** Runs on the fresh instance after `preStart`, once per restart. */
  afterRestart(_failure: FailureInfo): void | Promise<void> {}

  /** Runs on the old instance before it moves to `targetNode`, when its node is still alive. */
  beforeRelocate(_targetNode: string, _failure: FailureInfo): void | Promise<void> {}

  /** Runs on the new instance on its new node after `preStart`. */
  afterRelocate(_sourceNode: string, _failure: FailureInfo): void | Promise<void> {}

  /** A reference to this actor, to hand to others. */
  get self(): ActorRef {
    return this.#attached().ref;
  }

  /**
   * The actor system this actor runs in.
   * @throws Error on a worker node, which has no actor system.
   */
  get system(): ActorSystem {
    const system = this.#attached().system;
    if (system === undefined)
      throw new Error(`Actor "${this.actorId}" runs on a node without an actor system`);
    return system;
  }

  /**
   * Ends this actor normally once the current message is handled: a normal exit, which
   * only `RestartPolicy.ON_STOP` restarts.
   */
  protected stop(): void {
    this.#attached().stopSelf();
  }

  #attached(): ActorContext {
    if (this.#context === undefined) {
      throw new Error(
        `Actor "${this.actorId}" is not running in an actor system; create it with createActor`,
      );
    }
    return this.#context;
  }

  // Inherited by every subclass, so a worker node can attach a context to an instance of a
  // class loaded through its own copy of this module.
  static [attachKey](actor: Actor<any>, context: ActorContext): void {
    actor.#context = context;
  }
}

export function attachContext(actor: Actor<any>, context: ActorContext): void {
  Actor[attachKey](actor, context);
}
