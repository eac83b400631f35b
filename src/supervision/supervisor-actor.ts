import { rules, type Schema, type TimerHandle, validateConfig } from '../core/index.js';
import { Actor, type ActorClass } from './actor.js';
import { ActorCell, type ChildSpec } from './actor-cell.js';
import type { ActorRef, ChildCounts, ChildInfo, ChildOptions, SupervisionStats } from './actor-ref.js';
import { ChildStrategy, OneForOneStrategy } from './child-strategies.js';
import { ChildStatus, LOCAL_NODE_ID, RestartPolicy, SupervisionDirective } from './constants.js';
import {
  ActorNotFoundError,
  ActorStartError,
  ActorStoppedError,
  MaxRestartsExceededError,
} from './errors.js';
import { createFailureInfo, type Decider, type FailureInfo, type FailureRecord } from './failure.js';
import { killChildrenKey, RESTART_DUE, refuseOnError, resumedKey, stopChildrenKey } from './internal.js';
import { RestartBudget } from './restart-budget.js';
import { supervisionOf } from './supervised.js';
import {
  type SupervisionStrategy,
  type SupervisionStrategyOptions,
  toSupervisionStrategy,
} from './supervision-strategy.js';
import { coreOf, type SystemCore } from './system-core.js';

/** Options of a supervisor: `createSupervisor(id, options)` or `createChild(SupervisorActor, id, { args: [options] })`. */
export interface SupervisorOptions {
  /**
   * Which children a failure affects, with the restart budget and backoff; a
   * `SupervisionStrategy` (or its options) means one-for-one with it.
   * @default new OneForOneStrategy()
   */
  strategy?: ChildStrategy | SupervisionStrategy | SupervisionStrategyOptions | undefined;
  /**
   * What to do with a failed child.
   * @default the strategy's `decide`: RESTART, or RELOCATE when the child's node died
   */
  decide?: Decider | undefined;
}

const schema: Schema<SupervisorOptions> = {
  strategy: rules.object(
    'a OneForOneStrategy, AllForOneStrategy, RestForOneStrategy, SupervisionStrategy or options',
  ),
  decide: rules.function,
};

const childSchema: Schema<ChildOptions> = {
  args: { expected: 'an array', type: 'type', test: Array.isArray },
  restartPolicy: rules.oneOf(...Object.values(RestartPolicy)),
  shutdownTimeoutMs: rules.duration(0, { infinite: true }),
  handlerTimeoutMs: rules.duration(1, { infinite: true }),
  node: rules.either(rules.boolean, rules.string),
};

const directives = new Set<unknown>(Object.values(SupervisionDirective));
const HISTORY_LIMIT = 100;

interface RestartDue {
  readonly cells: readonly ActorCell[];
  readonly failure: FailureInfo;
  readonly kind: 'start' | 'restart' | 'relocate';
  readonly targetNode: string | undefined;
  readonly sourceNode: string;
}

/**
 * The actor behind a {@link SupervisorRef}: it starts children, handles their failures by
 * its strategy, `decide` and restart budget, and stops them in reverse start order. It
 * answers the messages `create_child`, `child_failed`, `child_terminated`,
 * `supervise_child`, `stop_child`, `restart_child` and `stop_all_children`.
 *
 * A restarted supervisor starts with no children; create the ones it always has in `preStart`
 * (with `this.createChild`, not through its own reference, which would wait on itself).
 *
 * @example
 * class Payments extends SupervisorActor {
 *   constructor(id: string) { super(id, { strategy: new RestForOneStrategy({ maxFailures: 5 }) }); }
 *   override async preStart() {
 *     await this.createChild(Ledger, 'ledger');
 *     await this.createChild(Charger, 'charger');
 *   }
 * }
 */
export class SupervisorActor extends Actor {
  readonly #strategy: ChildStrategy;
  readonly #decide: Decider;
  readonly #budget: RestartBudget;
  readonly #children = new Map<string, ActorCell>();
  readonly #history: FailureRecord[] = [];
  readonly #timers = new Set<TimerHandle>();
  #stopping = false;
  #totalFailures = 0;
  #totalRestarts = 0;
  #totalRelocations = 0;
  #escalations = 0;

  constructor(actorId: string, options: SupervisorOptions = {}) {
    super(actorId);
    validateConfig<SupervisorOptions>('SupervisorOptions', options, schema);
    const { strategy } = options;
    this.#strategy =
      strategy instanceof ChildStrategy
        ? strategy.clone()
        : new OneForOneStrategy(toSupervisionStrategy(strategy as SupervisionStrategy | undefined));
    const own = this.#strategy;
    this.#decide = options.decide ?? ((failure) => own.decide(failure));
    const { maxFailures, withinTimeWindowMs } = own.supervisionStrategy;
    this.#budget = new RestartBudget(maxFailures, withinTimeWindowMs);
  }

  /** The strategy this supervisor applies (its own copy). */
  get strategy(): ChildStrategy {
    return this.#strategy;
  }

  receive(type: string, payload: unknown): unknown {
    const message = (payload ?? {}) as Record<string, any>;
    switch (type) {
      case 'create_child':
        return refuseOnError(() => this.createChild(message.childClass, message.childId, message.options));
      case 'child_failed':
        return this.#onChildFailed(message.childId, message.error, message.incarnation);
      case 'child_terminated':
        return this.#onChildTerminated(message.childId, message.incarnation);
      case 'supervise_child':
        return refuseOnError(() => this.superviseChild(message.actorId ?? message.childId));
      case 'stop_child':
        return refuseOnError(() => this.stopChild(message.childId));
      case 'restart_child':
        return refuseOnError(() => this.restartChild(message.childId));
      case 'stop_all_children':
        return this.stopAllChildren();
      case RESTART_DUE:
        return this.#restartDue(payload as RestartDue);
      default:
        return this.unhandled(type, payload);
    }
  }

  /** Called for a message type the supervisor does not know; subclasses may override. */
  protected unhandled(_type: string, _payload: unknown): unknown {
    return undefined;
  }

  get #core(): SystemCore {
    return coreOf(this.system);
  }

  get #cell(): ActorCell {
    return this.#core.cells.get(this.actorId)!;
  }

  /**
   * Creates and starts a child from inside the supervisor (in `preStart` or `receive`).
   * @throws ActorAlreadyExistsError, ActorStartError, or TypeError/RangeError for bad options.
   */
  async createChild(ChildClass: ActorClass, childId: string, options: ChildOptions = {}): Promise<ActorRef> {
    if (typeof ChildClass !== 'function') {
      throw new TypeError(`createChild(ChildClass, childId): ChildClass must be an actor class`);
    }
    if (typeof childId !== 'string' || childId.length === 0) {
      throw new TypeError(`createChild(ChildClass, childId): childId must be a non-empty string`);
    }
    validateConfig<ChildOptions>('ChildOptions', options, childSchema);
    if (this.#stopping) throw new ActorStoppedError(this.actorId);
    const core = this.#core;
    core.reserve(childId);
    const supervision = supervisionOf(ChildClass);
    const node = options.node ?? false;
    if (node !== false && (core.nodes === undefined || !core.nodes.canHost(ChildClass))) {
      throw new TypeError(
        `ChildOptions.node needs an ActorSystem with nodes and a class with a static moduleUrl; "${ChildClass.name}" cannot be placed`,
      );
    }
    const spec: ChildSpec = {
      actorClass: ChildClass,
      args: options.args ?? [],
      restartPolicy:
        options.restartPolicy ??
        supervision?.strategy?.restartPolicy ??
        this.#strategy.supervisionStrategy.restartPolicy,
      shutdownTimeoutMs: options.shutdownTimeoutMs ?? core.shutdownTimeoutMs,
      handlerTimeoutMs: options.handlerTimeoutMs ?? core.handlerTimeoutMs,
      supervision,
      node,
      isSupervisor: ChildClass.prototype instanceof SupervisorActor || ChildClass === SupervisorActor,
    };
    const parent = this.#cell;
    const cell = new ActorCell(core, childId, `${parent.path}/${childId}`, parent, spec);
    this.#adopt(cell);
    const nodeId = node === false ? undefined : node === true ? core.nodes!.choose(cell, undefined) : node;
    try {
      await cell.start('start', undefined, nodeId);
    } catch (error) {
      this.#remove(cell);
      throw new ActorStartError(childId, error);
    }
    if (this.#stopping) {
      await cell.stop();
      this.#remove(cell);
      throw new ActorStoppedError(this.actorId);
    }
    return cell.ref;
  }

  #adopt(cell: ActorCell): void {
    this.#children.set(cell.id, cell);
    this.#strategy.registerChild(cell.id);
    this.#core.cells.set(cell.id, cell);
  }

  #remove(cell: ActorCell): void {
    if (this.#children.get(cell.id) !== cell) return;
    this.#children.delete(cell.id);
    this.#strategy.unregisterChild(cell.id);
    if (this.#core.cells.get(cell.id) === cell) this.#core.cells.delete(cell.id);
  }

  /** Stops a child for good; its spec stays (a `NEVER` child is removed). Resolves `false` for an unknown id. */
  async stopChild(childId: string): Promise<boolean> {
    const cell = this.#children.get(childId);
    if (cell === undefined) return false;
    await cell.stop();
    if (cell.spec.restartPolicy === RestartPolicy.NEVER) this.#remove(cell);
    return true;
  }

  /**
   * Starts a fresh instance of a stopped child, or stops and restarts a running one.
   * @throws ActorNotFoundError for an unknown id; ActorStartError when it fails to start.
   */
  async restartChild(childId: string): Promise<ActorRef> {
    const cell = this.#children.get(childId);
    if (cell === undefined) throw new ActorNotFoundError(childId);
    await cell.stop();
    const nodeId = cell.spec.node === false ? undefined : this.#core.nodes?.choose(cell, undefined);
    try {
      await cell.start('start', undefined, nodeId);
    } catch (error) {
      throw new ActorStartError(childId, error);
    }
    return cell.ref;
  }

  /** Stops every child in reverse start order and removes them. */
  async stopAllChildren(): Promise<void> {
    const cells = [...this.#children.values()];
    for (let index = cells.length - 1; index >= 0; index--) {
      const cell = cells[index]!;
      await cell.stop();
      this.#remove(cell);
    }
  }

  /**
   * Takes over supervision of an existing actor (started last here).
   * @throws ActorNotFoundError for an unknown id; TypeError when the actor is this supervisor or one of its ancestors.
   */
  superviseChild(actorId: string): ActorRef {
    const core = this.#core;
    const cell = core.cells.get(actorId);
    if (cell === undefined) throw new ActorNotFoundError(actorId);
    const self = this.#cell;
    for (let ancestor: ActorCell | undefined = self; ancestor; ancestor = ancestor.parent) {
      if (ancestor === cell)
        throw new TypeError(`Supervisor "${this.actorId}" cannot supervise its ancestor "${actorId}"`);
    }
    if (cell.parent === self) return cell.ref;
    const previous = cell.parent?.instance;
    if (previous instanceof SupervisorActor) previous.#release(cell);
    cell.parent = self;
    cell.path = `${self.path}/${cell.id}`;
    this.#adopt(cell);
    return cell.ref;
  }

  #release(cell: ActorCell): void {
    this.#children.delete(cell.id);
    this.#strategy.unregisterChild(cell.id);
  }

  /** The children in start order with their status. */
  whichChildren(): ChildInfo[] {
    const children: ChildInfo[] = [];
    for (const cell of this.#children.values()) {
      children.push({
        id: cell.id,
        status: cell.status,
        type: cell.spec.isSupervisor ? 'supervisor' : 'worker',
        restartCount: cell.restartCount,
        nodeId: cell.nodeId,
      });
    }
    return children;
  }

  countChildren(): ChildCounts {
    let active = 0;
    let supervisors = 0;
    for (const cell of this.#children.values()) {
      if (cell.status === ChildStatus.RUNNING) active++;
      if (cell.spec.isSupervisor) supervisors++;
    }
    const specs = this.#children.size;
    return { specs, active, supervisors, workers: specs - supervisors };
  }

  getSupervisionStats(): SupervisionStats {
    const { maxFailures, withinTimeWindowMs } = this.#strategy.supervisionStrategy;
    return {
      supervisorId: this.actorId,
      strategy: this.#strategy.kind,
      children: this.#children.size,
      activeChildren: this.countChildren().active,
      totalFailures: this.#totalFailures,
      totalRestarts: this.#totalRestarts,
      totalRelocations: this.#totalRelocations,
      escalations: this.#escalations,
      failuresInWindow: this.#budget.count(this.#core.clock.now()),
      maxFailures,
      withinTimeWindowMs,
    };
  }

  /** Recent failures of the children (up to 100), oldest first, with the directive applied. */
  getFailureHistory(): FailureRecord[] {
    return [...this.#history];
  }

  #onChildFailed(
    childId: string,
    error: unknown,
    incarnation: number | undefined,
  ): Promise<unknown> | undefined {
    const cell = this.#children.get(childId);
    if (cell === undefined || this.#stopping) return undefined;
    if (incarnation !== undefined && incarnation !== cell.incarnation) return undefined;
    // A report sent by hand (no incarnation) fails a running child; a stale one is ignored.
    if (cell.status === ChildStatus.RUNNING && incarnation === undefined) cell.markFailed();
    if (cell.status !== ChildStatus.FAILED) return undefined;
    return this.#handleFailure(cell, error, false);
  }

  async #handleFailure(
    cell: ActorCell,
    error: unknown,
    failedRestart: boolean,
  ): Promise<SupervisionDirective> {
    const core = this.#core;
    const now = core.clock.now();
    const failure = createFailureInfo(cell.path, cell.id, cell.nodeId, now, error, cell.restartCount);
    this.#totalFailures++;
    const strategy = this.#strategyFor(cell);
    const failureCount = cell.countFailure(now, strategy.withinTimeWindowMs);
    let directive = failedRestart ? SupervisionDirective.RESTART : this.#decideFor(cell, failure);
    if (
      (directive === SupervisionDirective.RESTART || directive === SupervisionDirective.RELOCATE) &&
      cell.spec.restartPolicy === RestartPolicy.NEVER
    ) {
      directive = SupervisionDirective.STOP;
    }
    this.#record(failure, directive);
    switch (directive) {
      case SupervisionDirective.RESUME:
        cell.resume();
        return directive;
      case SupervisionDirective.STOP:
        await cell.stop();
        this.#remove(cell);
        return directive;
      case SupervisionDirective.ESCALATE:
        this.#escalations++;
        throw error;
    }
    if (cell.spec.restartPolicy !== RestartPolicy.ALWAYS) {
      const budget = this.#budgetFor(cell);
      if (budget.record(now)) await this.#giveUp(budget, error);
    }
    const targetNode =
      directive === SupervisionDirective.RELOCATE ? core.nodes?.choose(cell, cell.nodeId) : undefined;
    const relocating = targetNode !== undefined;
    const affected = this.#strategy
      .getAffectedChildren(cell.id)
      .map((id) => this.#children.get(id)!)
      .filter((other) => other === cell || other.status !== ChildStatus.STOPPED);
    for (let index = affected.length - 1; index >= 0; index--) {
      const other = affected[index]!;
      if (other === cell) continue;
      if (other.spec.restartPolicy === RestartPolicy.NEVER) {
        await other.stop();
        this.#remove(other);
      } else {
        await other.suspend(ChildStatus.RESTARTING, 'beforeRestart', failure);
      }
    }
    const sourceNode = cell.nodeId;
    if (relocating) await cell.suspend(ChildStatus.RELOCATING, 'beforeRelocate', failure, targetNode);
    else await cell.suspend(ChildStatus.RESTARTING, 'beforeRestart', failure);
    const due: RestartDue = {
      cells: affected.filter((other) => this.#children.get(other.id) === other),
      failure,
      kind: relocating ? 'relocate' : 'restart',
      targetNode,
      sourceNode,
    };
    this.#schedule(due, strategy.calculateRestartDelay(failureCount));
    return relocating ? SupervisionDirective.RELOCATE : SupervisionDirective.RESTART;
  }

  async #onChildTerminated(childId: string, incarnation: number): Promise<void> {
    const cell = this.#children.get(childId);
    if (cell === undefined || this.#stopping || incarnation !== cell.incarnation) return;
    if (cell.status !== ChildStatus.FAILED) return;
    const policy = cell.spec.restartPolicy;
    if (policy !== RestartPolicy.ON_STOP) {
      await cell.stop();
      if (policy === RestartPolicy.NEVER) this.#remove(cell);
      return;
    }
    const core = this.#core;
    const now = core.clock.now();
    const exit = createFailureInfo(
      cell.path,
      cell.id,
      cell.nodeId,
      now,
      new ActorStoppedError(cell.id),
      cell.restartCount,
    );
    const budget = this.#budgetFor(cell);
    if (budget.record(now)) await this.#giveUp(budget, exit.error);
    const strategy = this.#strategyFor(cell);
    const count = cell.countFailure(now, strategy.withinTimeWindowMs);
    await cell.suspend(ChildStatus.RESTARTING, 'postStop', exit);
    const nodeId = cell.nodeId === LOCAL_NODE_ID ? undefined : cell.nodeId;
    this.#schedule(
      { cells: [cell], failure: exit, kind: 'start', targetNode: nodeId, sourceNode: cell.nodeId },
      strategy.calculateRestartDelay(count),
    );
  }

  #schedule(due: RestartDue, delayMs: number): void {
    const self = this.#cell;
    if (delayMs <= 0) {
      self.enqueue(RESTART_DUE, due, undefined);
      return;
    }
    const clock = this.#core.clock;
    const timer = clock.setTimeout(() => {
      this.#timers.delete(timer);
      self.enqueue(RESTART_DUE, due, undefined);
    }, delayMs);
    this.#timers.add(timer);
  }

  async #restartDue(due: RestartDue): Promise<void> {
    if (this.#stopping) return;
    for (const cell of due.cells) {
      if (
        this.#children.get(cell.id) !== cell ||
        (cell.status !== ChildStatus.RESTARTING && cell.status !== ChildStatus.RELOCATING)
      ) {
        continue;
      }
      const relocate = due.kind === 'relocate' && cell.id === due.failure.actorId;
      const kind = due.kind === 'start' ? 'start' : relocate ? 'relocate' : 'restart';
      const nodeId = relocate || due.kind === 'start' ? due.targetNode : this.#nodeFor(cell);
      try {
        await cell.start(kind, due.failure, nodeId, due.sourceNode);
      } catch (error) {
        if (this.#stopping || (cell.status as ChildStatus) === ChildStatus.STOPPED) return;
        // A restart attempt that fails counts again and is retried through the same path.
        cell.status = ChildStatus.FAILED;
        await this.#handleFailure(cell, error, true);
        return;
      }
      cell.restartCount++;
      if (kind === 'relocate') this.#totalRelocations++;
      else this.#totalRestarts++;
    }
  }

  #nodeFor(cell: ActorCell): string | undefined {
    return cell.nodeId === LOCAL_NODE_ID ? undefined : cell.nodeId;
  }

  async #giveUp(budget: RestartBudget, error: unknown): Promise<never> {
    const failures = budget.count(this.#core.clock.now());
    budget.reset();
    this.#budget.reset();
    this.#escalations++;
    await this.stopAllChildren();
    throw new MaxRestartsExceededError(this.actorId, failures, budget.windowMs, error);
  }

  #strategyFor(cell: ActorCell): SupervisionStrategy {
    return cell.spec.supervision?.strategy ?? this.#strategy.supervisionStrategy;
  }

  #budgetFor(cell: ActorCell): RestartBudget {
    const own = cell.spec.supervision?.strategy;
    if (own === undefined) return this.#budget;
    return (cell.budget ??= new RestartBudget(own.maxFailures, own.withinTimeWindowMs));
  }

  #decideFor(cell: ActorCell, failure: FailureInfo): SupervisionDirective {
    const decide = cell.spec.supervision?.decide ?? this.#decide;
    const directive = decide(failure);
    if (!directives.has(directive)) {
      throw new TypeError(
        `decide() for "${cell.id}" returned ${String(directive)}, not a SupervisionDirective`,
      );
    }
    return directive;
  }

  #record(failure: FailureInfo, directive: SupervisionDirective): void {
    const record: FailureRecord = Object.freeze({ ...failure, directive });
    this.#history.push(record);
    if (this.#history.length > HISTORY_LIMIT) this.#history.shift();
    const failures = this.#core.failures;
    if (failures.hasListeners) failures.emit({ ...record, supervisorId: this.actorId });
  }

  #clearTimers(): void {
    const clock = this.#core.clock;
    for (const timer of this.#timers) clock.clearTimeout(timer);
    this.#timers.clear();
  }

  async [stopChildrenKey](): Promise<void> {
    this.#stopping = true;
    this.#clearTimers();
    await this.stopAllChildren();
  }

  [killChildrenKey](): void {
    this.#stopping = true;
    this.#clearTimers();
    for (const cell of this.#children.values()) {
      cell.kill();
      if (this.#core.cells.get(cell.id) === cell) this.#core.cells.delete(cell.id);
    }
    this.#children.clear();
  }

  /** Resumed by its parent after escalating: the child that escalated resumes too. */
  [resumedKey](): void {
    for (const cell of this.#children.values()) cell.resume();
  }
}
