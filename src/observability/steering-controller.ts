import {
  type Disposable,
  type Event,
  EventEmitter,
  rules,
  type Schema,
  toDisposable,
  validateConfig,
} from '../core/index.js';
import {
  type ActorInspection,
  type ActorSystem,
  inspectActor,
  listActors,
  pauseMailbox,
  replaceActorState,
  resumeMailbox,
} from '../supervision/index.js';
import { SteeringPolicyNotFoundError } from './errors.js';
import type { ObservabilityCollector } from './observability-collector.js';
import { senderContext } from './sender-context.js';

/** A named intervention, run by {@link SteeringController.applySteeringPolicy}. */
export type SteeringPolicy = (steering: SteeringController, ...args: any[]) => unknown;

/** Options of {@link SteeringController}. */
export interface SteeringControllerOptions {
  /** Where steering actions are recorded as `steering_action` system events. @default none */
  collector?: ObservabilityCollector | undefined;
}

/** One steering action, as emitted by {@link SteeringController.onAction}. */
export interface SteeringActionEvent {
  readonly action: 'pause' | 'resume' | 'inject_message' | 'modify_state' | 'apply_policy';
  /** The actor acted on, or the policy's name. */
  readonly target: string;
  /** Whether it took effect. */
  readonly succeeded: boolean;
}

const schema: Schema<SteeringControllerOptions> = {
  collector: rules.object('an ObservabilityCollector'),
};

/**
 * Steers a running actor system: holds and releases an actor's mailbox, injects messages,
 * edits an actor's state, and runs named steering policies.
 *
 * @example
 * const steering = new SteeringController(system);
 * steering.pauseActor('orders');          // messages to "orders" now wait
 * steering.modifyActorState('orders', { batchSize: 10 });
 * steering.resumeActor('orders');         // and are delivered in order
 * @throws TypeError when `system` is not an ActorSystem or an option is invalid.
 */
export class SteeringController {
  readonly system: ActorSystem;
  readonly #collector: ObservabilityCollector | undefined;
  readonly #policies = new Map<string, SteeringPolicy>();
  readonly #actions = new EventEmitter<SteeringActionEvent>();

  constructor(system: ActorSystem, options: SteeringControllerOptions = {}) {
    validateConfig<SteeringControllerOptions>('SteeringControllerOptions', options, schema);
    listActors(system);
    this.system = system;
    this.#collector = options.collector;
  }

  /** Every steering action taken through this controller. */
  readonly onAction: Event<SteeringActionEvent> = (listener) => this.#actions.subscribe(listener);

  /**
   * Holds delivery to a worker actor: new messages wait, in order, until {@link resumeActor}.
   * @returns false for an unknown or stopped actor, or a supervisor.
   */
  pauseActor(actorId: string): boolean {
    return this.#report('pause', actorId, pauseMailbox(this.system, actorId));
  }

  /**
   * Delivers the messages that waited while the actor was paused, and those after them.
   * @returns false for an unknown or stopped actor.
   */
  resumeActor(actorId: string): boolean {
    return this.#report('resume', actorId, resumeMailbox(this.system, actorId));
  }

  /**
   * Sends `messageType` with `payload` to `destination` as if `source` had sent it (flows
   * recorded by an observing collector name `source`).
   * @returns false when there is no such destination actor.
   */
  injectMessage(source: string, destination: string, messageType: string, payload: unknown = {}): boolean {
    const ref = this.system.getActor(destination);
    if (ref !== undefined) senderContext.run(source, () => ref.tell(messageType, payload));
    return this.#report('inject_message', destination, ref !== undefined);
  }

  /**
   * Merges `stateUpdates` into a local actor's `state` (a shallow merge into a new object).
   * It applies at once; pause the actor first for a change no handler sees halfway.
   * @returns false for an unknown or stopped actor, or one on a worker node.
   */
  modifyActorState(actorId: string, stateUpdates: Record<string, unknown>): boolean {
    if (typeof stateUpdates !== 'object' || stateUpdates === null || Array.isArray(stateUpdates)) {
      throw new TypeError('modifyActorState(actorId, stateUpdates): stateUpdates must be an object');
    }
    const changed = replaceActorState(this.system, actorId, (state) => ({ ...state, ...stateUpdates }));
    return this.#report('modify_state', actorId, changed);
  }

  /** What the system knows about an actor now (status, paused, mailbox size), or undefined. */
  inspectActor(actorId: string): ActorInspection | undefined {
    return inspectActor(this.system, actorId);
  }

  /** The ids of the system's live actors. */
  listActors(): string[] {
    return listActors(this.system);
  }

  /** Registers a policy under `name`, replacing any before it; dispose the result to remove it. */
  registerSteeringPolicy(name: string, policy: SteeringPolicy): Disposable {
    if (typeof name !== 'string' || name.length === 0) {
      throw new TypeError('registerSteeringPolicy(name, policy): name must be a non-empty string');
    }
    if (typeof policy !== 'function') {
      throw new TypeError('registerSteeringPolicy(name, policy): policy must be a function');
    }
    this.#policies.set(name, policy);
    return toDisposable(() => {
      if (this.#policies.get(name) === policy) this.#policies.delete(name);
    });
  }

  /** Whether a policy is registered under `name`. */
  hasSteeringPolicy(name: string): boolean {
    return this.#policies.has(name);
  }

  /**
   * Runs the policy registered as `name` with this controller and `args`; resolves with
   * what it returns.
   * @throws SteeringPolicyNotFoundError (as a rejection) for an unknown name.
   */
  async applySteeringPolicy(name: string, ...args: unknown[]): Promise<unknown> {
    const policy = this.#policies.get(name);
    if (policy === undefined) throw new SteeringPolicyNotFoundError(name);
    try {
      const result = await policy(this, ...args);
      this.#report('apply_policy', name, true);
      return result;
    } catch (error) {
      this.#report('apply_policy', name, false);
      throw error;
    }
  }

  #report(action: SteeringActionEvent['action'], target: string, succeeded: boolean): boolean {
    if (this.#actions.hasListeners) this.#actions.emit({ action, target, succeeded });
    this.#collector?.recordSystemEvent('steering_action', { action, target, succeeded });
    return succeeded;
  }
}
