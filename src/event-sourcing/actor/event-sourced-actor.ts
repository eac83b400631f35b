import { type ClassDecorator, decorateClass, rules, validateConfig } from '../../core/index.js';
import { Actor, type ActorSystem } from '../../supervision/index.js';
import type { Event, RecordedEvent } from '../event.js';
import type { EventStore } from '../event-store.js';
import { MemoryEventStore } from '../memory-event-store.js';
import type { ActorStateSnapshot } from '../snapshots/actor-state-snapshot.js';
import type { SnapshotStore } from '../snapshots/snapshot-store.js';
import {
  applyStateChange,
  type EventSourced,
  type EventSourcedOptions,
  EventSourcingEngine,
  type ReplayHistoryOptions,
  type SourcedActor,
} from './event-sourcing.js';

const schema = {
  eventStore: rules.object('an EventStore'),
  snapshotStore: rules.object('a SnapshotStore'),
};

function validate(
  options: Partial<EventSourcedOptions> = {},
  subject = 'EventSourcedOptions',
): EventSourcedOptions {
  validateConfig(subject, options, schema);
  return { ...options, eventStore: options.eventStore ?? new MemoryEventStore() };
}

const isEventStore = (value: unknown): value is EventStore =>
  typeof (value as EventStore | undefined)?.appendToStream === 'function';

const engines = new WeakMap<object, EventSourcingEngine>();
const classOptions = Symbol('bulwark.eventSourced');

function engineOf(actor: SourcedActor, own?: EventSourcedOptions): EventSourcingEngine {
  let engine = engines.get(actor);
  if (engine === undefined) {
    const options =
      own ?? (actor.constructor as unknown as Record<symbol, EventSourcedOptions>)[classOptions];
    if (options === undefined) throw new TypeError(`Actor "${actor.actorId}" has no eventStore`);
    engines.set(actor, (engine = new EventSourcingEngine(actor, options)));
  }
  return engine;
}

function systemOf(actor: Actor<any>): ActorSystem | undefined {
  try {
    return actor.system;
  } catch {
    return undefined;
  }
}

/**
 * An actor whose state lives in an event store: on every start (first start, restart,
 * relocation) it recovers from the newest snapshot plus the events after it, and messages
 * that arrive meanwhile wait. Change state with {@link recordStateChange}, which stores the
 * event before applying it.
 *
 * @example
 * class Account extends EventSourcedActor<{ balance: number }> {
 *   override state = { balance: 0 };
 *   async receive(type: string, amount: number) {
 *     if (type === 'deposit') await this.recordStateChange('balance', this.state.balance, this.state.balance + amount);
 *     return this.state.balance;
 *   }
 * }
 * const account = await system.createActor(Account, 'acct-1', { eventStore, snapshotStore });
 */
export abstract class EventSourcedActor<S extends object = Record<string, unknown>>
  extends Actor<S>
  implements EventSourced
{
  /**
   * Takes the stores as options, or as two arguments `(actorId, eventStore, snapshotStore)`.
   * Without an `eventStore` the history is kept in a `MemoryEventStore` of the instance's own.
   *
   * @throws TypeError when an option is unknown or malformed.
   */
  constructor(
    actorId: string,
    options?: Partial<EventSourcedOptions> | EventStore,
    snapshotStore?: SnapshotStore,
  ) {
    super(actorId);
    const given = isEventStore(options) ? { eventStore: options, snapshotStore } : options;
    engineOf(this as never, validate(given));
  }

  /** Recovers the state from the stores before the first message; override and call `super.preStart()`. */
  override async preStart(): Promise<void> {
    await engineOf(this as never).recover(systemOf(this));
  }

  override async postStop(): Promise<void> {
    engineOf(this as never).release();
  }

  recordStateChange(
    changeType: string,
    oldValue: unknown,
    newValue: unknown,
    metadata?: Readonly<Record<string, unknown>>,
  ): Promise<RecordedEvent> {
    return engineOf(this as never).record({ changeType, oldValue, newValue, ...(metadata && { metadata }) });
  }

  takeSnapshot(): Promise<ActorStateSnapshot> {
    return engineOf(this as never).takeSnapshot();
  }

  restoreFromSnapshot(timestamp?: number): Promise<boolean> {
    return engineOf(this as never).restoreFromSnapshot(timestamp);
  }

  replayHistory(options?: ReplayHistoryOptions): Promise<number> {
    return engineOf(this as never).replayHistory(options);
  }

  /** Applies a stored event; by default a `STATE_CHANGED` event sets `state[changeType] = newValue`. */
  applyEvent(event: Event): void {
    this.state = applyStateChange(this.state, event) as S;
  }
}

const mixed = ['recordStateChange', 'takeSnapshot', 'restoreFromSnapshot', 'replayHistory'] as const;

/**
 * Makes an `Actor` subclass event-sourced, as if it extended {@link EventSourcedActor}:
 * recovery before the first message and the {@link EventSourced} methods (declare the
 * ones you call, as below, to see them in types). Works as a TC39 and as a legacy class decorator.
 *
 * @example
 * @eventSourced({ eventStore, snapshotStore })
 * class Cart extends Actor<{ items: string[] }> {
 *   declare recordStateChange: EventSourced['recordStateChange'];
 *   ...
 * }
 * @throws TypeError when an option is unknown or malformed, or applied to something other than an Actor class.
 */
export function eventSourced(given: Partial<EventSourcedOptions> = {}): ClassDecorator {
  const options = validate(given);
  return ((...args: unknown[]) =>
    decorateClass(args, 'eventSourced', { policy: 'eventSourced', options: { ...options } }, (target) => {
      if (!(target.prototype instanceof Actor))
        throw new TypeError('@eventSourced applies to Actor subclasses only');
      // The decorated class is concrete, whatever the base's abstract members.
      const Base = target as unknown as new (...args: any[]) => any;
      const Sourced = class extends Base {
        static readonly [classOptions] = options;
        async preStart(): Promise<void> {
          await engineOf(this as never).recover(systemOf(this as never));
          await super.preStart();
        }
        async postStop(): Promise<void> {
          engineOf(this as never).release();
          await super.postStop();
        }
      };
      Object.defineProperty(Sourced, 'name', { value: target.name });
      for (const name of mixed) {
        Object.defineProperty(Sourced.prototype, name, {
          ...Object.getOwnPropertyDescriptor(EventSourcedActor.prototype, name),
        });
      }
      if (!('applyEvent' in Sourced.prototype)) {
        Object.defineProperty(Sourced.prototype, 'applyEvent', {
          ...Object.getOwnPropertyDescriptor(EventSourcedActor.prototype, 'applyEvent'),
        });
      }
      return Sourced as unknown as typeof target;
    })) as ClassDecorator;
}
