import { type Clock, type EventEmitter, isThenable, type TimerHandle } from '../core/index.js';
import type { ActorClass, ActorContext } from './actor.js';
import { ActorRef } from './actor-ref.js';
import type { ActorSystem } from './actor-system.js';
import { ChildStatus, LOCAL_NODE_ID, type RestartPolicy } from './constants.js';
import { ActorStoppedError, HandlerTimeoutError } from './errors.js';
import type { FailureInfo } from './failure.js';
import { bounded, Detached, killChildrenKey, Refusal, resumedKey, stopChildrenKey } from './internal.js';
import type { RestartBudget } from './restart-budget.js';
import type { ClassSupervision } from './supervised.js';

/** What a cell drives: a local actor instance or a proxy for one on a worker node. */
export interface Incarnation {
  receive(type: string, payload: unknown): unknown;
  preStart(): unknown;
  postStop(): unknown;
  beforeRestart(failure: FailureInfo): unknown;
  afterRestart(failure: FailureInfo): unknown;
  beforeRelocate(targetNode: string, failure: FailureInfo): unknown;
  afterRelocate(sourceNode: string, failure: FailureInfo): unknown;
  /** Frees what the incarnation holds elsewhere (its slot on a worker node). */
  release?(): void;
  [stopChildrenKey]?(): Promise<void>;
  [killChildrenKey]?(): void;
  [resumedKey]?(): void;
}

/** How a child is run; fixed at creation. */
export interface ChildSpec {
  readonly actorClass: ActorClass;
  readonly args: readonly unknown[];
  readonly restartPolicy: RestartPolicy;
  readonly shutdownTimeoutMs: number;
  readonly handlerTimeoutMs: number;
  readonly supervision: ClassSupervision | undefined;
  /** `false` to run in the main thread, `true` to place on a node, or a node id. */
  readonly node: boolean | string;
  readonly isSupervisor: boolean;
}

/** The runtime services a cell needs from its actor system. */
export interface CellHost {
  readonly clock: Clock;
  readonly facade: unknown;
  readonly askTimeoutMs: number;
  /** Messages sent through a reference, for observers of message flow. */
  readonly sent: EventEmitter<SentMessage>;
  instantiate(cell: ActorCell, nodeId: string | undefined): Incarnation | Promise<Incarnation>;
  reportFailure(cell: ActorCell, error: unknown): void;
  reportExit(cell: ActorCell): void;
  deadLetter(actorId: string, type: string, payload: unknown): void;
  hookFailed(actorId: string, hook: string, error: unknown): void;
}

/** A message sent to an actor through its reference. */
export interface SentMessage {
  /** The receiving actor's id. */
  readonly actorId: string;
  readonly type: string;
  readonly payload: unknown;
}

interface Reply {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const BATCH = 4096;
const resolved = Promise.resolve();
let ready: ActorCell[] = [];
let spare: ActorCell[] = [];
let flushQueued = false;

// One microtask drains every ready mailbox, so a burst of tells costs no promise per message.
function flush(): void {
  flushQueued = false;
  const cells = ready;
  ready = spare;
  for (let index = 0; index < cells.length; index++) cells[index]!.drain();
  cells.length = 0;
  spare = cells;
}

function schedule(cell: ActorCell): void {
  ready.push(cell);
  if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flush);
  }
}

/**
 * One actor's mailbox and lifecycle. The mailbox survives restarts and relocations, so
 * references stay valid and waiting messages are delivered in order to the next instance.
 */
export class ActorCell implements ActorContext {
  readonly id: string;
  path: string;
  parent: ActorCell | undefined;
  readonly host: CellHost;
  readonly spec: ChildSpec;
  readonly ref: ActorRef;
  instance: Incarnation | undefined;
  status: ChildStatus = ChildStatus.STARTING;
  nodeId: string = LOCAL_NODE_ID;
  restartCount = 0;
  /** Bumped by every new instance; reports from an older one are ignored. */
  incarnation = 0;
  /** The restart budget of a child whose class declared its own strategy with `@supervised`. */
  budget: RestartBudget | undefined;
  #live = false;
  #failureTimes: number[] | undefined;
  #queue: unknown[] | undefined;
  #head = 0;
  #scheduled = false;
  #busy = false;
  #inflight: Promise<void> | undefined;
  #inflightReply: Reply | undefined;
  #generation = 0;
  #handlerTimer: TimerHandle | undefined;
  #exitRequested = false;
  #stopping: Promise<void> | undefined;
  #stops = 0;
  #paused = false;

  constructor(host: CellHost, id: string, path: string, parent: ActorCell | undefined, spec: ChildSpec) {
    this.host = host;
    this.id = id;
    this.path = path;
    this.parent = parent;
    this.spec = spec;
    this.ref = ActorRef.create(this);
  }

  get system(): ActorSystem {
    return this.host.facade as ActorSystem;
  }

  stopSelf(): void {
    this.requestExit();
  }

  /** Messages waiting to be handled. */
  get mailboxSize(): number {
    return ((this.#queue?.length ?? 0) - this.#head) / 3;
  }

  /** Whether delivery is held by {@link ActorCell.pause}. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Holds delivery: messages keep arriving and wait, in order, until {@link ActorCell.unpause}. */
  pause(): void {
    this.#paused = true;
  }

  unpause(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#scheduleIfWaiting();
  }

  /** Messages waiting plus the one being handled; what `least_loaded` placement compares. */
  get load(): number {
    return ((this.#queue?.length ?? 0) - this.#head) / 3 + (this.#busy ? 1 : 0);
  }

  enqueue(type: string, payload: unknown, reply: Reply | undefined): void {
    const status = this.status;
    if (status === ChildStatus.STOPPED || status === ChildStatus.STOPPING) {
      this.#reject(type, payload, reply);
      return;
    }
    const queue = (this.#queue ??= []);
    queue.push(type, payload, reply);
    if (status === ChildStatus.RUNNING && !this.#busy && !this.#scheduled && !this.#paused) {
      this.#scheduled = true;
      schedule(this);
    }
  }

  /**
   * The fast path of `ask` to an idle actor: the answer is the handler's own promise chain,
   * with no queue entry. Holds the mailbox so later messages wait behind this one; returns
   * undefined when the actor is not idle.
   */
  askIdle(type: string, payload: unknown): Promise<unknown> | undefined {
    if (
      this.status !== ChildStatus.RUNNING ||
      this.#busy ||
      this.#scheduled ||
      this.#paused ||
      this.#exitRequested ||
      (this.#queue !== undefined && this.#head < this.#queue.length)
    ) {
      return undefined;
    }
    this.#scheduled = true;
    return resolved.then(() => this.#answer(type, payload));
  }

  #answer(type: string, payload: unknown): unknown {
    this.#scheduled = false;
    if (this.status !== ChildStatus.RUNNING || this.#paused) {
      // Stopped, failed, restarting or paused meanwhile: the message waits, ahead of those sent after it.
      return new Promise((resolve, reject) => this.#enqueueFirst(type, payload, { resolve, reject }));
    }
    let result: unknown;
    try {
      result = this.instance!.receive(type, payload);
    } catch (error) {
      this.#fail(error, undefined);
      throw error;
    }
    if (isThenable(result)) {
      return new Promise((resolve, reject) => this.#await(result, type, { resolve, reject }));
    }
    this.drain();
    if (result instanceof Refusal) throw result.error;
    if (result instanceof Detached) return result.answer;
    return result;
  }

  #enqueueFirst(type: string, payload: unknown, reply: Reply): void {
    const queue = this.#queue;
    if (queue === undefined || this.#head >= queue.length) {
      this.enqueue(type, payload, reply);
    } else if (this.#head >= 3) {
      this.#head -= 3;
      queue[this.#head] = type;
      queue[this.#head + 1] = payload;
      queue[this.#head + 2] = reply;
    } else {
      queue.unshift(type, payload, reply);
    }
  }

  drain(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    if (queue === undefined) return;
    let remaining = BATCH;
    while (this.status === ChildStatus.RUNNING && !this.#busy && !this.#paused && this.#head < queue.length) {
      if (this.#exitRequested) {
        this.#exit();
        return;
      }
      if (remaining-- === 0) {
        // Yield to I/O so an actor that keeps telling itself cannot starve the process.
        this.#scheduled = true;
        setImmediate(schedule, this);
        return;
      }
      const index = this.#head;
      this.#head = index + 3;
      const type = queue[index] as string;
      const payload = queue[index + 1];
      const reply = queue[index + 2] as Reply | undefined;
      queue[index + 1] = undefined;
      queue[index + 2] = undefined;
      this.#deliver(type, payload, reply);
    }
    if (this.#head >= queue.length) {
      queue.length = 0;
      this.#head = 0;
    } else if (this.#head > 3 * BATCH && this.#head * 2 > queue.length) {
      queue.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.#exitRequested && this.status === ChildStatus.RUNNING && !this.#busy) this.#exit();
  }

  #deliver(type: string, payload: unknown, reply: Reply | undefined): void {
    let result: unknown;
    try {
      result = this.instance!.receive(type, payload);
    } catch (error) {
      this.#fail(error, reply);
      return;
    }
    if (isThenable(result)) this.#await(result, type, reply);
    else if (result instanceof Refusal) reply?.reject(result.error);
    else if (result instanceof Detached) result.answer.then(reply?.resolve, reply?.reject ?? noop);
    else reply?.resolve(result);
  }

  #await(result: PromiseLike<unknown>, type: string, reply: Reply | undefined): void {
    this.#busy = true;
    this.#inflightReply = reply;
    const generation = this.#generation;
    const timeoutMs = this.spec.handlerTimeoutMs;
    if (Number.isFinite(timeoutMs)) {
      this.#handlerTimer = this.host.clock.setTimeout(() => {
        if (generation === this.#generation) {
          this.#fail(new HandlerTimeoutError(this.id, type, timeoutMs), reply);
        }
      }, timeoutMs);
    }
    this.#inflight = Promise.resolve(result).then(
      (value) => {
        if (generation !== this.#generation) return;
        this.#settled();
        if (value instanceof Refusal) reply?.reject(value.error);
        else reply?.resolve(value);
        this.drain();
      },
      (error: unknown) => {
        if (generation === this.#generation) this.#fail(error, reply);
      },
    );
  }

  #settled(): void {
    this.#busy = false;
    this.#inflight = undefined;
    this.#inflightReply = undefined;
    if (this.#handlerTimer !== undefined) {
      this.host.clock.clearTimeout(this.#handlerTimer);
      this.#handlerTimer = undefined;
    }
  }

  #fail(error: unknown, reply: Reply | undefined): void {
    this.#generation++;
    this.#settled();
    reply?.reject(error);
    if (this.status !== ChildStatus.RUNNING) return;
    this.status = ChildStatus.FAILED;
    this.host.reportFailure(this, error);
  }

  /** A failure seen outside a handler, such as the death of the actor's node. */
  fail(error: unknown): void {
    this.#fail(error, this.#inflightReply);
  }

  /** Marks the actor failed without an error of its own (a failure reported by message). */
  markFailed(): void {
    if (this.status !== ChildStatus.RUNNING) return;
    this.#generation++;
    this.#settled();
    this.status = ChildStatus.FAILED;
  }

  /** `this.stop()` inside the actor: a normal exit once the current message is handled. */
  requestExit(): void {
    if (this.#exitRequested) return;
    this.#exitRequested = true;
    queueMicrotask(() => {
      if (this.#exitRequested && this.status === ChildStatus.RUNNING && !this.#busy) this.#exit();
    });
  }

  #exit(): void {
    this.#exitRequested = false;
    this.status = ChildStatus.FAILED;
    this.host.reportExit(this);
  }

  /** Starts a fresh instance; rejects (leaving the cell not live) when construction or a hook throws. */
  async start(
    kind: 'start' | 'restart' | 'relocate',
    failure?: FailureInfo,
    nodeId?: string,
    sourceNode?: string,
  ): Promise<void> {
    this.#live = false;
    this.#exitRequested = false;
    this.incarnation++;
    const stops = this.#stops;
    if (this.status === ChildStatus.STOPPED) this.status = ChildStatus.STARTING;
    const instance = await this.host.instantiate(this, nodeId);
    this.instance = instance;
    try {
      await instance.preStart();
      if (kind === 'restart') await instance.afterRestart(failure!);
      else if (kind === 'relocate') await instance.afterRelocate(sourceNode!, failure!);
    } catch (error) {
      // Children a supervisor created before failing to start must not be left running.
      await instance[stopChildrenKey]?.();
      instance.release?.();
      throw error;
    }
    if (stops !== this.#stops) {
      // Stopped while starting: the new instance must not outlive the stop.
      await this.#endIncarnation(instance, 'postStop');
      return;
    }
    this.#live = true;
    this.status = ChildStatus.RUNNING;
    this.#scheduleIfWaiting();
  }

  resume(): void {
    if (this.status !== ChildStatus.FAILED) return;
    this.status = ChildStatus.RUNNING;
    this.instance?.[resumedKey]?.();
    this.#scheduleIfWaiting();
  }

  #scheduleIfWaiting(): void {
    if (!this.#scheduled && !this.#paused && this.#queue !== undefined && this.#head < this.#queue.length) {
      this.#scheduled = true;
      schedule(this);
    }
  }

  /** Records a failure at `now` and returns how many fell inside the last `windowMs`. */
  countFailure(now: number, windowMs: number): number {
    const times = (this.#failureTimes ??= []);
    times.push(now);
    while (times.length > 0 && times[0]! < now - windowMs) times.shift();
    return times.length;
  }

  /**
   * Ends the current instance without stopping the actor: waiting messages stay. `hook`
   * runs on the old instance (`beforeRestart`, `beforeRelocate` or, after a normal exit, `postStop`).
   */
  async suspend(
    status: typeof ChildStatus.RESTARTING | typeof ChildStatus.RELOCATING,
    hook: 'beforeRestart' | 'beforeRelocate' | 'postStop',
    failure: FailureInfo,
    targetNode?: string,
  ): Promise<void> {
    this.status = status;
    const instance = this.instance;
    if (instance === undefined || !this.#live) return;
    this.#live = false;
    const finished = await bounded(() => this.#inflight, this.spec.shutdownTimeoutMs, this.host.clock, noop);
    if (!finished) this.#abandon();
    await this.#endIncarnation(instance, hook, failure, targetNode);
  }

  async #endIncarnation(
    instance: Incarnation,
    hook: 'beforeRestart' | 'beforeRelocate' | 'postStop',
    failure?: FailureInfo,
    targetNode?: string,
  ): Promise<void> {
    await instance[stopChildrenKey]?.();
    const onError = (error: unknown): void => this.host.hookFailed(this.id, hook, error);
    await bounded(
      () =>
        hook === 'beforeRestart'
          ? instance.beforeRestart(failure!)
          : hook === 'beforeRelocate'
            ? instance.beforeRelocate(targetNode!, failure!)
            : instance.postStop(),
      this.spec.shutdownTimeoutMs,
      this.host.clock,
      onError,
    );
    instance.release?.();
  }

  /**
   * Stops the actor for good: waiting messages are rejected, the message in flight gets
   * `shutdownTimeoutMs` to finish, children stop in reverse start order, then `postStop` runs
   * within `shutdownTimeoutMs`.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop().finally(() => {
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    if (this.status === ChildStatus.STOPPED) return;
    this.#stops++;
    const wasLive = this.#live;
    this.#live = false;
    this.#exitRequested = false;
    this.status = ChildStatus.STOPPING;
    this.#rejectWaiting();
    const instance = this.instance;
    if (instance !== undefined && wasLive) {
      const finished = await bounded(
        () => this.#inflight,
        this.spec.shutdownTimeoutMs,
        this.host.clock,
        noop,
      );
      if (!finished) this.#abandon();
      await this.#endIncarnation(instance, 'postStop');
    } else if (instance !== undefined) {
      // A failed instance never reached postStop; its children still stop.
      await instance[stopChildrenKey]?.();
      instance.release?.();
    }
    this.status = ChildStatus.STOPPED;
  }

  /** A message in flight that did not finish in time: its ask is rejected and its late result ignored. */
  #abandon(): void {
    const reply = this.#inflightReply;
    this.#generation++;
    this.#settled();
    reply?.reject(new ActorStoppedError(this.id));
  }

  /** Stops at once: no hooks, nothing awaited. */
  kill(): void {
    if (this.status === ChildStatus.STOPPED) return;
    this.#stops++;
    this.#live = false;
    this.#abandon();
    this.status = ChildStatus.STOPPED;
    this.#rejectWaiting();
    this.instance?.[killChildrenKey]?.();
    this.instance?.release?.();
  }

  #rejectWaiting(): void {
    const queue = this.#queue;
    if (queue === undefined) return;
    this.#queue = undefined;
    for (let index = this.#head; index < queue.length; index += 3) {
      this.#reject(queue[index] as string, queue[index + 1], queue[index + 2] as Reply | undefined);
    }
    this.#head = 0;
  }

  #reject(type: string, payload: unknown, reply: Reply | undefined): void {
    if (reply === undefined) this.host.deadLetter(this.id, type, payload);
    else reply.reject(new ActorStoppedError(this.id));
  }
}

function noop(): void {}
