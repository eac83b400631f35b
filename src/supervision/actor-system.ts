import { type Clock, type Event, rules, type Schema, systemClock, validateConfig } from '../core/index.js';
import type { ActorClass } from './actor.js';
import { ActorCell } from './actor-cell.js';
import type { ActorRef, SupervisorRef } from './actor-ref.js';
import { ChildStatus, RestartPolicy } from './constants.js';
import { ActorSystemShutdownError } from './errors.js';
import { type NodeOptions, NodePool } from './nodes/node-pool.js';
import { RootSupervisor } from './root-supervisor.js';
import { SupervisorActor, type SupervisorOptions } from './supervisor-actor.js';
import { type DeadLetterEvent, type FailureEvent, registerCore, SystemCore } from './system-core.js';

/** Options of {@link ActorSystem}. */
export interface ActorSystemOptions extends SupervisorOptions {
  /** The source of time for backoff, timeouts and failure times. @default systemClock */
  clock?: Clock | undefined;
  /** How long an `ask` waits by default. @default Infinity (no limit) */
  askTimeoutMs?: number | undefined;
  /**
   * How long one message may take before its actor counts as failed (Node cannot preempt a
   * handler, so this is how a handler that never settles is bounded). @default Infinity (no limit)
   */
  handlerTimeoutMs?: number | undefined;
  /** How long a stopping actor's in-flight message and `postStop` get. @default 5000 */
  shutdownTimeoutMs?: number | undefined;
  /** Worker-thread nodes that actors can be placed on and relocated between. @default none */
  nodes?: NodeOptions | undefined;
}

const schema: Schema<ActorSystemOptions> = {
  clock: rules.clock,
  askTimeoutMs: rules.duration(1, { infinite: true }),
  handlerTimeoutMs: rules.duration(1, { infinite: true }),
  shutdownTimeoutMs: rules.duration(0, { infinite: true }),
  nodes: rules.object('node options'),
  strategy: rules.object(
    'a OneForOneStrategy, AllForOneStrategy, RestForOneStrategy, SupervisionStrategy or options',
  ),
  decide: rules.function,
};

/**
 * Runs actors under a tree of supervisors rooted at a {@link RootSupervisor}. Actor ids
 * are unique in a system.
 *
 * @example
 * const system = new ActorSystem();
 * const workers = await system.createSupervisor('workers', { strategy: new OneForOneStrategy({ maxFailures: 5 }) });
 * const counter = await workers.createChild(Counter, 'counter');
 * counter.tell('add', { by: 1 });
 * await system.shutdown();
 * @throws TypeError or RangeError naming the option when an option is invalid.
 */
export class ActorSystem {
  readonly #core: SystemCore;
  readonly #rootCell: ActorCell;
  #shutdown: Promise<void> | undefined;

  constructor(options: ActorSystemOptions = {}) {
    validateConfig<ActorSystemOptions>('ActorSystemOptions', options, schema);
    const core = new SystemCore(
      this,
      options.clock ?? systemClock,
      options.askTimeoutMs ?? Number.POSITIVE_INFINITY,
      options.handlerTimeoutMs ?? Number.POSITIVE_INFINITY,
      options.shutdownTimeoutMs ?? 5000,
    );
    if (options.nodes !== undefined) core.nodes = new NodePool(core, options.nodes);
    this.#core = core;
    registerCore(this, core);
    const rootOptions: SupervisorOptions = {};
    if (options.strategy !== undefined) rootOptions.strategy = options.strategy;
    if (options.decide !== undefined) rootOptions.decide = options.decide;
    const root = new ActorCell(core, 'root', '/root', undefined, {
      actorClass: RootSupervisor,
      args: [rootOptions],
      restartPolicy: RestartPolicy.ALWAYS,
      shutdownTimeoutMs: core.shutdownTimeoutMs,
      handlerTimeoutMs: Number.POSITIVE_INFINITY,
      supervision: undefined,
      node: false,
      isSupervisor: true,
    });
    root.instance = core.instantiate(root, undefined) as RootSupervisor;
    root.status = ChildStatus.RUNNING;
    core.root = root;
    core.cells.set(root.id, root);
    this.#rootCell = root;
  }

  /** The clock the system runs on. */
  get clock(): Clock {
    return this.#core.clock;
  }

  /** The root supervisor; every actor created with {@link ActorSystem.createActor} is its child. */
  get root(): RootSupervisor {
    return this.#rootCell.instance as unknown as RootSupervisor;
  }

  /** A reference to the root supervisor. */
  get rootRef(): SupervisorRef {
    return this.#rootCell.ref as SupervisorRef;
  }

  /** Whether {@link ActorSystem.shutdown} (or an emergency stop) has begun. */
  get isShutdown(): boolean {
    return this.#shutdown !== undefined || this.#core.closed;
  }

  /**
   * Creates and starts an actor under the root supervisor: `new ActorClass(id, ...args)`.
   * @throws ActorAlreadyExistsError when the id is taken; ActorStartError when it fails to start.
   */
  createActor<A extends unknown[]>(
    ActorClass: ActorClass<A, SupervisorActor>,
    actorId: string,
    ...args: A
  ): Promise<SupervisorRef>;
  createActor<A extends unknown[]>(ActorClass: ActorClass<A>, actorId: string, ...args: A): Promise<ActorRef>;
  createActor(ActorClass: ActorClass, actorId: string, ...args: unknown[]): Promise<ActorRef> {
    if (this.isShutdown) return Promise.reject(new ActorSystemShutdownError());
    return this.rootRef.createChild(ActorClass, actorId, { args });
  }

  /** Creates a supervisor under the root supervisor. */
  createSupervisor(supervisorId: string, options: SupervisorOptions = {}): Promise<SupervisorRef> {
    return this.createActor(SupervisorActor, supervisorId, options);
  }

  /** The reference of a live actor (a `SupervisorRef` for a supervisor), or undefined. */
  getActor(actorId: string): ActorRef | undefined {
    const cell = this.#core.cells.get(actorId);
    return cell === undefined || cell.status === ChildStatus.STOPPED ? undefined : cell.ref;
  }

  /** Stops an actor for good through its supervisor; resolves `false` when there is no such actor. */
  async stopActor(actorId: string): Promise<boolean> {
    const cell = this.#core.cells.get(actorId);
    if (cell === undefined || cell.parent === undefined) return false;
    return (cell.parent.ref as SupervisorRef).stopChild(actorId);
  }

  /**
   * Stops every actor in reverse start order, each within its shutdown timeout, then the
   * worker nodes. Idempotent.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#stopAll();
    return this.#shutdown;
  }

  async #stopAll(): Promise<void> {
    await this.#rootCell.stop();
    await this.#core.nodes?.terminate();
  }

  /** Every failure a supervisor handled, with the directive it applied. */
  readonly onFailure: Event<FailureEvent> = (listener) => this.#core.failures.subscribe(listener);

  /** Messages that reached no actor. */
  readonly onDeadLetter: Event<DeadLetterEvent> = (listener) => this.#core.deadLetters.subscribe(listener);

  /** Failures that escalated past the root supervisor (its children involved have stopped). */
  readonly onUnhandledFailure: Event<unknown> = (listener) => this.#core.unhandled.subscribe(listener);
}

let globalSystem: ActorSystem | undefined;

/** The process-wide actor system, created on first use (and again after it was shut down). */
export function getGlobalActorSystem(): ActorSystem {
  if (globalSystem === undefined || globalSystem.isShutdown) globalSystem = new ActorSystem();
  return globalSystem;
}
