import { type ResourceLimits, Worker } from 'node:worker_threads';
import type { ActorCell, Incarnation } from '../actor-cell.js';
import { NodeFailedError } from '../errors.js';
import type { FailureInfo } from '../failure.js';
import { workerRuntimeSource } from './worker-runtime.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface SerialisedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

function revive(serialised: SerialisedError): Error {
  const error = new Error(serialised.message);
  error.name = serialised.name;
  if (serialised.stack !== undefined) error.stack = serialised.stack;
  return error;
}

// The error itself may not survive a structured clone; what decide() reads does.
function portable(failure: FailureInfo): FailureInfo {
  const { error } = failure;
  return {
    ...failure,
    error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
  };
}

/** One worker thread hosting actors; when it dies, each actor on it fails with `NodeFailedError`. */
export class WorkerNode {
  readonly hosted = new Set<ActorCell>();
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #modules = new Set<string>();
  readonly #onDeath: (node: WorkerNode) => void;
  #nextSeq = 0;
  #cause: unknown;
  #alive = true;
  #closing = false;

  constructor(
    readonly id: string,
    execArgv: readonly string[] | undefined,
    preload: readonly string[],
    resourceLimits: ResourceLimits | undefined,
    onDeath: (node: WorkerNode) => void,
    findCell: (actorId: string) => ActorCell | undefined,
  ) {
    this.#onDeath = onDeath;
    this.#worker = new Worker(workerRuntimeSource, {
      eval: true,
      name: `bulwark ${id}`,
      workerData: { preload: [...preload] },
      ...(execArgv === undefined ? {} : { execArgv: [...execArgv] }),
      ...(resourceLimits === undefined ? {} : { resourceLimits }),
    });
    this.#worker.unref();
    this.#worker.on('message', (message: Record<string, any>) => {
      if (message.op === 'reply') {
        const pending = this.#pending.get(message.seq);
        this.#pending.delete(message.seq);
        if (this.#pending.size === 0) this.#worker.unref();
        if (message.ok) pending?.resolve(message.value);
        else pending?.reject(revive(message.error));
      } else if (message.op === 'tell') {
        findCell(message.actorId)?.enqueue(message.type, message.payload, undefined);
      } else if (message.op === 'crashing') {
        this.#cause = revive(message.error);
      } else if (message.op === 'dying') {
        this.#die(message.code);
      } else if (message.op === 'loaded') {
        this.#modules.add(message.moduleUrl);
      } else if (message.op === 'exit') {
        findCell(message.actorId)?.requestExit();
      }
    });
    // An uncaught error or a resource limit ends the thread: its actors can move right away.
    this.#worker.on('error', (error) => {
      this.#cause = error;
      this.#die(1);
    });
    this.#worker.on('exit', (code) => this.#die(code));
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Queued and in-flight messages of the actors on this node. */
  get load(): number {
    let load = 0;
    for (const cell of this.hosted) load += cell.load;
    return load;
  }

  /** Whether this node has loaded an actor module, so an actor of it starts here quickly. */
  hasLoaded(moduleUrl: string): boolean {
    return this.#modules.has(moduleUrl);
  }

  /** Loads an actor module ahead of need, so an actor relocated here starts quickly. */
  preloadModule(moduleUrl: string): void {
    if (this.#alive) this.#worker.postMessage({ op: 'load', moduleUrl });
  }

  async spawn(cell: ActorCell): Promise<Incarnation> {
    const actorClass = cell.spec.actorClass as unknown as { moduleUrl: string; exportName?: string };
    await this.#call({
      op: 'spawn',
      actorId: cell.id,
      moduleUrl: actorClass.moduleUrl,
      exportName: actorClass.exportName ?? cell.spec.actorClass.name,
      args: cell.spec.args,
    });
    this.#modules.add(actorClass.moduleUrl);
    cell.nodeId = this.id;
    this.hosted.add(cell);
    const invoke = (method: string, ...args: unknown[]): Promise<unknown> =>
      this.#call({ op: 'call', actorId: cell.id, method, args });
    // The instance on a dead node is gone: its remaining hooks have nothing to run on.
    const hook = (method: string, ...args: unknown[]): Promise<unknown> =>
      this.#alive ? invoke(method, ...args) : Promise.resolve();
    return {
      receive: (type, payload) => invoke('receive', type, payload),
      preStart: () => invoke('preStart'),
      postStop: () => hook('postStop'),
      beforeRestart: (failure) => hook('beforeRestart', portable(failure)),
      afterRestart: (failure) => invoke('afterRestart', portable(failure)),
      beforeRelocate: (targetNode, failure) => hook('beforeRelocate', targetNode, portable(failure)),
      afterRelocate: (sourceNode, failure) => invoke('afterRelocate', sourceNode, portable(failure)),
      release: () => {
        this.hosted.delete(cell);
        if (this.#alive) this.#worker.postMessage({ op: 'release', actorId: cell.id });
      },
    };
  }

  #call(message: Record<string, unknown>): Promise<unknown> {
    if (!this.#alive) return Promise.reject(new NodeFailedError(this.id, undefined, this.#cause));
    const seq = this.#nextSeq++;
    // An idle node lets the process exit; one with calls in flight keeps it alive until they answer.
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(seq, { resolve, reject });
      this.#worker.postMessage({ ...message, seq });
    });
  }

  #die(exitCode: number): void {
    if (!this.#alive) return;
    this.#alive = false;
    const error = new NodeFailedError(this.id, exitCode, this.#cause);
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    if (this.#closing) return;
    this.#onDeath(this);
    for (const cell of [...this.hosted]) cell.fail(error);
  }

  /** Stops the worker without failing its actors (they were stopped first). */
  terminate(): Promise<void> {
    this.#closing = true;
    return this.#worker.terminate().then(() => undefined);
  }
}
