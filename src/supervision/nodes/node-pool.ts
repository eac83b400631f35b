import type { ResourceLimits } from 'node:worker_threads';
import { rules, type Schema, validateConfig } from '../../core/index.js';
import type { ActorClass } from '../actor.js';
import type { ActorCell, Incarnation } from '../actor-cell.js';
import { Placement } from '../constants.js';
import { NodeFailedError } from '../errors.js';
import type { NodeHost, SystemCore } from '../system-core.js';
import { WorkerNode } from './worker-node.js';

/** Options of the worker nodes an {@link ActorSystem} places actors on. */
export interface NodeOptions {
  /**
   * How many worker threads to keep; a node that dies is replaced by a new one.
   * @default 2
   */
  count?: number | undefined;
  /**
   * How a node is chosen for an actor placed with `node: true` or relocated.
   * @default Placement.ROUND_ROBIN
   */
  placement?: Placement | undefined;
  /** Limits for each worker; exceeding them kills the node. @default Node's defaults */
  resourceLimits?: ResourceLimits | undefined;
  /** Node.js flags for the workers. @default the process's own */
  execArgv?: readonly string[] | undefined;
  /**
   * Modules each node imports before it loads any actor class, such as one that registers a
   * TypeScript loader. @default []
   */
  preload?: readonly string[] | undefined;
}

const schema: Schema<NodeOptions> = {
  count: rules.integer(1, 64),
  placement: rules.oneOf(...Object.values(Placement)),
  resourceLimits: rules.object('worker resource limits'),
  execArgv: { expected: 'an array of strings', type: 'type', test: isStrings },
  preload: { expected: 'an array of module URLs or specifiers', type: 'type', test: isStrings },
};

function isStrings(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Worker-thread nodes on this machine, started on first use. */
export class NodePool implements NodeHost {
  readonly #core: SystemCore;
  readonly #count: number;
  readonly #placement: Placement;
  readonly #options: NodeOptions;
  readonly #nodes: WorkerNode[] = [];
  /** Actor modules in use, which every new node loads ahead of need. */
  readonly #loaded = new Set<string>();
  #nextId = 1;
  #turn = 0;
  #closed = false;

  constructor(core: SystemCore, options: NodeOptions) {
    validateConfig<NodeOptions>('NodeOptions', options, schema);
    this.#core = core;
    this.#count = options.count ?? 2;
    this.#placement = options.placement ?? Placement.ROUND_ROBIN;
    this.#options = options;
  }

  /** The ids of the live nodes. */
  get nodeIds(): string[] {
    this.#fill();
    return this.#nodes.map((node) => node.id);
  }

  canHost(actorClass: ActorClass): boolean {
    return typeof (actorClass as unknown as { moduleUrl?: unknown }).moduleUrl === 'string';
  }

  choose(cell: ActorCell, excludeNodeId: string | undefined): string | undefined {
    if (this.#closed || !this.canHost(cell.spec.actorClass)) return undefined;
    this.#fill();
    const others = this.#nodes.filter((node) => node.id !== excludeNodeId);
    if (others.length === 0) return undefined;
    const candidates = excludeNodeId === undefined ? others : this.#readiest(others, cell);
    const placement = cell.spec.supervision?.placement ?? this.#placement;
    if (placement === Placement.RANDOM) return candidates[Math.floor(Math.random() * candidates.length)]!.id;
    if (placement === Placement.LEAST_LOADED) {
      let best = candidates[0]!;
      for (const node of candidates) {
        if (node.load < best.load || (node.load === best.load && node.hosted.size < best.hosted.size))
          best = node;
      }
      return best.id;
    }
    return candidates[this.#turn++ % candidates.length]!.id;
  }

  /**
   * A relocating actor waits for its node: prefer nodes that have its class loaded, else
   * the oldest node, which has been warming up the longest.
   */
  #readiest(nodes: WorkerNode[], cell: ActorCell): WorkerNode[] {
    const moduleUrl = (cell.spec.actorClass as unknown as { moduleUrl: string }).moduleUrl;
    const warm = nodes.filter((node) => node.hasLoaded(moduleUrl));
    return warm.length > 0 ? warm : nodes.slice(0, 1);
  }

  spawn(cell: ActorCell, nodeId: string): Promise<Incarnation> {
    let node = this.#nodes.find((candidate) => candidate.id === nodeId && candidate.alive);
    // A restart on a node that has died since goes to another node instead.
    const elsewhere = node === undefined ? this.choose(cell, nodeId) : undefined;
    if (elsewhere !== undefined) node = this.#nodes.find((candidate) => candidate.id === elsewhere);
    if (node === undefined) return Promise.reject(new NodeFailedError(nodeId, undefined));
    const moduleUrl = (cell.spec.actorClass as unknown as { moduleUrl: string }).moduleUrl;
    if (!this.#loaded.has(moduleUrl)) {
      this.#loaded.add(moduleUrl);
      for (const other of this.#nodes) if (other !== node) other.preloadModule(moduleUrl);
    }
    return node.spawn(cell);
  }

  #fill(): void {
    while (!this.#closed && this.#nodes.length < this.#count) {
      const node = new WorkerNode(
        `node-${this.#nextId++}`,
        this.#options.execArgv,
        this.#options.preload ?? [],
        this.#options.resourceLimits,
        (dead) => {
          const index = this.#nodes.indexOf(dead);
          if (index >= 0) this.#nodes.splice(index, 1);
          // Replace it at once, so the replacement warms up while the actors move elsewhere.
          this.#fill();
        },
        (actorId) => this.#core.cells.get(actorId),
      );
      for (const moduleUrl of this.#loaded) node.preloadModule(moduleUrl);
      this.#nodes.push(node);
    }
  }

  async terminate(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#nodes.splice(0).map((node) => node.terminate()));
  }

  kill(): void {
    this.#closed = true;
    for (const node of this.#nodes.splice(0)) void node.terminate();
  }
}
