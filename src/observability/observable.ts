import { type AnyClass, type ClassDecorator, type Disposable, decorateClass } from '../core/index.js';
import { Actor, type ActorSystem, inspectActor } from '../supervision/index.js';
import { ObservabilityLevel } from './levels.js';
import { ObservabilityCollector } from './observability-collector.js';
import { senderContext } from './sender-context.js';
import { estimateSize } from './size.js';

interface Counters {
  windowStart: number;
  handled: number;
  failed: number;
  lastSnapshotAt: number;
}

type Observed = Actor<object> & { getCustomMetrics?(): Record<string, unknown> };

// Counted per actor id, so an actor's rates continue across the instances its restarts create.
const countersOf = new WeakMap<ObservabilityCollector, Map<string, Counters>>();

/**
 * An actor that reports to a collector: the base-class face of {@link observable}. Pass the
 * collector as the second constructor argument; without one the actor is not observed.
 * Override {@link ObservableActor.getCustomMetrics} to add metrics to its snapshots.
 *
 * @example
 * class Orders extends ObservableActor<{ open: number }> {
 *   override state = { open: 0 };
 *   receive(type: string) { ... }
 *   override getCustomMetrics() { return { open: this.state.open }; }
 * }
 * await system.createActor(Orders, 'orders', collector);
 */
export abstract class ObservableActor<S extends object = Record<string, unknown>> extends Actor<S> {
  constructor(actorId: string, collector?: ObservabilityCollector) {
    super(actorId);
    if (collector !== undefined) instrument(this as unknown as Observed, checked(collector));
  }

  /** Metrics of the actor's own, added to each of its snapshots. */
  getCustomMetrics(): Record<string, unknown> {
    return {};
  }
}

/**
 * Makes an `Actor` subclass observable: its snapshots (status, mailbox size, message and
 * error rates, `getCustomMetrics()`) are recorded on first start, at most once per
 * aggregation interval while it handles messages, and on stop; the messages it sends and
 * receives are recorded as message flows; its system's failures as `actor_failed` events.
 * Works as a TC39 and as a legacy class decorator, and as `observable(collector)(Class)`.
 *
 * @example
 * @observable(collector)
 * class Orders extends Actor {
 *   receive(type: string, payload: unknown) { ... }
 *   getCustomMetrics() { return { open: this.state.open }; }
 * }
 * @throws TypeError when `collector` is not an ObservabilityCollector, or when applied to a class without `receive`.
 */
export function observable(collector: ObservabilityCollector): ClassDecorator {
  checked(collector);
  return ((...args: unknown[]) =>
    decorateClass(args, 'observable', { policy: 'observable', options: {} }, (target) => {
      if (typeof (target.prototype as { receive?: unknown }).receive !== 'function') {
        throw new TypeError(`@observable applies to Actor subclasses; ${target.name} has no receive method`);
      }
      const Base = target as unknown as new (...args: any[]) => object;
      const name = target.name;
      return {
        [name]: class extends Base {
          constructor(...args: any[]) {
            super(...args);
            instrument(this as unknown as Observed, collector);
          }
        },
      }[name] as unknown as AnyClass;
    })) as ClassDecorator;
}

function checked(collector: ObservabilityCollector): ObservabilityCollector {
  if (!(collector instanceof ObservabilityCollector)) {
    throw new TypeError('observable(collector): collector must be an ObservabilityCollector');
  }
  return collector;
}

/** Wraps the instance's own `receive`, `preStart` and `postStop` so they report to `collector`. */
function instrument(actor: Observed, collector: ObservabilityCollector): void {
  let counters = countersOf.get(collector);
  if (counters === undefined) countersOf.set(collector, (counters = new Map()));
  const table = counters;
  const measure =
    collector.level === ObservabilityLevel.FULL || collector.level === ObservabilityLevel.INTERACTIVE;
  const { receive, preStart, postStop } = actor;
  let observation: Disposable | undefined;

  const snapshot = (state?: string): void => {
    const now = collector.clock.now();
    const count = table.get(actor.actorId)!;
    const system = systemOf(actor);
    const inspection = system === undefined ? undefined : inspectActor(system, actor.actorId);
    const elapsedMs = now - count.windowStart;
    collector.recordActorSnapshot({
      actorId: actor.actorId,
      timestamp: now,
      state: state ?? (inspection?.paused ? 'paused' : (inspection?.status ?? 'running')),
      mailboxSize: inspection?.mailboxSize ?? 0,
      messageRate: elapsedMs > 0 ? (count.handled * 1000) / elapsedMs : 0,
      errorRate: count.handled > 0 ? count.failed / count.handled : 0,
      memoryUsage: measure ? estimateSize(actor.state) : 0,
      customMetrics: customMetricsOf(actor),
    });
    count.windowStart = now;
    count.handled = 0;
    count.failed = 0;
    count.lastSnapshotAt = now;
  };

  const handled = (failed: boolean): void => {
    const count = table.get(actor.actorId);
    if (count === undefined) return;
    count.handled++;
    if (failed) count.failed++;
    if (collector.clock.now() - count.lastSnapshotAt >= collector.aggregationIntervalMs) snapshot();
  };

  actor.preStart = async () => {
    await preStart.call(actor);
    observation ??= collector.observeActor(actor.actorId);
    const system = systemOf(actor);
    if (system !== undefined) collector.observeSystem(system);
    if (table.has(actor.actorId)) return;
    const now = collector.clock.now();
    table.set(actor.actorId, { windowStart: now, handled: 0, failed: 0, lastSnapshotAt: now });
    snapshot('running');
  };

  actor.receive = (type: string, payload: unknown): unknown => {
    let result: unknown;
    try {
      result = senderContext.run(actor.actorId, () => receive.call(actor, type, payload));
    } catch (error) {
      handled(true);
      throw error;
    }
    if (result !== null && typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
      return Promise.resolve(result).then(
        (value) => {
          handled(false);
          return value;
        },
        (error: unknown) => {
          handled(true);
          throw error;
        },
      );
    }
    handled(false);
    return result;
  };

  actor.postStop = async () => {
    try {
      await postStop.call(actor);
    } finally {
      if (table.has(actor.actorId)) snapshot('stopped');
      table.delete(actor.actorId);
      observation?.dispose();
    }
  };
}

function customMetricsOf(actor: Observed): Record<string, unknown> {
  if (typeof actor.getCustomMetrics !== 'function') return {};
  try {
    return actor.getCustomMetrics() ?? {};
  } catch {
    return {};
  }
}

// An actor on a worker node has no actor system to inspect.
function systemOf(actor: Observed): ActorSystem | undefined {
  try {
    return actor.system;
  } catch {
    return undefined;
  }
}
