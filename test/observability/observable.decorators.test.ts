import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { type ClassDecorator, getResilienceMetadata } from '../../src/core/index.js';
import {
  ObservabilityCollector,
  ObservabilityLevel,
  ObservableActor,
  observable,
} from '../../src/observability/index.js';
import { Actor, type ActorRef, ActorSystem } from '../../src/supervision/index.js';
import { VirtualClock } from '../../src/testing/index.js';

let clock: VirtualClock;
let collector: ObservabilityCollector;
let system: ActorSystem;

function makeClasses(target: ObservabilityCollector) {
  @observable(target)
  class Ledger extends Actor<{ entries: number }> {
    override state = { entries: 0 };
    receive(type: string) {
      if (type === 'fail') throw new Error('ledger down');
      this.state.entries++;
      return this.state.entries;
    }
    getCustomMetrics() {
      return { entries: this.state.entries };
    }
  }

  @observable(target)
  class Orders extends Actor {
    ledger: ActorRef | undefined;
    async receive(type: string, payload: unknown) {
      if (type === 'connect') {
        this.ledger = payload as ActorRef;
        return true;
      }
      await Promise.resolve();
      // Sent after an await: still attributed to this actor.
      return this.ledger!.ask(type === 'broken' ? 'fail' : 'post');
    }
  }
  return { Ledger, Orders };
}

describe('@observable', () => {
  beforeEach(() => {
    clock = new VirtualClock(0);
    collector = new ObservabilityCollector({
      clock,
      aggregationIntervalMs: 1000,
      level: ObservabilityLevel.FULL,
    });
    system = new ActorSystem({ clock });
  });

  afterEach(async () => {
    const done = system.shutdown();
    await clock.advance(10_000);
    await done;
  });

  it('records a snapshot on start, keeps the class name and records what was decorated', async () => {
    const { Ledger } = makeClasses(collector);
    expect(Ledger.name).toBe('Ledger');
    expect(getResilienceMetadata(Ledger)).toMatchObject({ class: [{ policy: 'observable' }] });
    await system.createActor(Ledger, 'ledger');
    expect(collector.getLatestSnapshots().get('ledger')).toMatchObject({
      actorId: 'ledger',
      state: 'running',
      timestamp: 0,
      customMetrics: { entries: 0 },
    });
  });

  it('records message flows between observed actors, attributing sends made after an await', async () => {
    const { Ledger, Orders } = makeClasses(collector);
    const ledger = await system.createActor(Ledger, 'ledger');
    const orders = await system.createActor(Orders, 'orders');
    await orders.ask('connect', ledger);
    await expect(orders.ask('place')).resolves.toBe(1);
    const flows = collector
      .getMessageFlows()
      .map((flow) => [flow.source, flow.destination, flow.messageType]);
    expect(flows).toEqual([
      ['external', 'orders', 'connect'],
      ['external', 'orders', 'place'],
      ['orders', 'ledger', 'post'],
    ]);
    expect(collector.getMessageFlows()[2]!.payloadSize).toBe(0);
    expect(collector.relationshipsOf('orders')).toEqual(['ledger']);
  });

  it('reports message and error rates once per aggregation interval, across restarts', async () => {
    const { Ledger } = makeClasses(collector);
    const ledger = await system.createActor(Ledger, 'ledger');
    await ledger.ask('post');
    await ledger.ask('post');
    await ledger.ask('fail').catch(() => {});
    await clock.advance(1000);
    await ledger.ask('post');
    const snapshots = collector.getActorSnapshots('ledger');
    expect(snapshots).toHaveLength(2);
    expect(snapshots[1]).toMatchObject({ timestamp: 1000, messageRate: 4, errorRate: 0.25 });
    expect(snapshots[1]!.memoryUsage).toBeGreaterThan(0);
  });

  it('records supervised failures as actor_failed events, feeding cascade detection', async () => {
    const { Ledger, Orders } = makeClasses(collector);
    const ledger = await system.createActor(Ledger, 'ledger');
    const orders = await system.createActor(Orders, 'orders');
    await orders.ask('connect', ledger);
    await orders.ask('broken').catch(() => {});
    await clock.advance(10);
    const failed = collector.getSystemEvents().filter((event) => event.eventType === 'actor_failed');
    expect(failed.map((event) => event.data.actorId)).toEqual(['ledger', 'orders']);
    const cascade = collector.detectPatterns().find((pattern) => pattern.patternType === 'cascade');
    expect(cascade?.involvedActors).toEqual(['ledger', 'orders']);
  });

  it('records a stopped snapshot when the actor stops for good', async () => {
    const { Ledger } = makeClasses(collector);
    const ledger = await system.createActor(Ledger, 'ledger');
    await ledger.ask('post');
    await system.stopActor('ledger');
    expect(collector.getLatestSnapshots().get('ledger')).toMatchObject({
      state: 'stopped',
      customMetrics: { entries: 1 },
    });
    const before = collector.getMessageFlows().length;
    ledger.tell('post');
    expect(collector.getMessageFlows()).toHaveLength(before);
  });

  it('observes a subclass that overrides receive', async () => {
    const { Ledger } = makeClasses(collector);
    class Audited extends Ledger {
      override receive(type: string) {
        return type.length;
      }
    }
    const ref = await system.createActor(Audited, 'audited');
    await expect(ref.ask('post')).resolves.toBe(4);
    await clock.advance(1000);
    await ref.ask('post');
    expect(collector.getLatestSnapshots().get('audited')).toMatchObject({ messageRate: 2 });
  });

  it('returns a class decorator usable in either decorator mode', () => {
    expectTypeOf(observable).returns.toEqualTypeOf<ClassDecorator>();
  });

  it('rejects a collector of the wrong type and classes that are not actors', () => {
    expect(() => observable({} as never)).toThrow(TypeError);
    const decorate = observable(collector) as (target: Function) => unknown;
    expect(() => decorate(class NotAnActor {})).toThrow(/receive/);
    expect(() =>
      (observable(collector) as unknown as (value: unknown, context: unknown) => unknown)(() => 1, {
        kind: 'method',
      }),
    ).toThrow(TypeError);
  });
});

describe('ObservableActor', () => {
  beforeEach(() => {
    clock = new VirtualClock(0);
    collector = new ObservabilityCollector({ clock, aggregationIntervalMs: 1000 });
    system = new ActorSystem({ clock });
  });

  afterEach(async () => {
    const done = system.shutdown();
    await clock.advance(10_000);
    await done;
  });

  class Tally extends ObservableActor<{ count: number }> {
    override state = { count: 0 };
    receive(type: string) {
      if (type === 'fail') throw new Error('tally failed');
      return ++this.state.count;
    }
    override getCustomMetrics() {
      return { count: this.state.count };
    }
  }

  async function exercise(actorClass: typeof Tally, id: string, ...args: unknown[]) {
    const ref = await system.createActor(actorClass as never, id, ...(args as []));
    await (ref as ActorRef).ask('add');
    await (ref as ActorRef).ask('fail').catch(() => {});
    await clock.advance(1000);
    await (ref as ActorRef).ask('add');
    return collector.getActorSnapshots(id).map(({ actorId: _id, ...rest }) => rest);
  }

  it('behaves as the decorator does: base class, decorator syntax and decorator as a function', async () => {
    class Plain extends Actor<{ count: number }> {
      override state = { count: 0 };
      receive(type: string) {
        if (type === 'fail') throw new Error('tally failed');
        return ++this.state.count;
      }
      getCustomMetrics() {
        return { count: this.state.count };
      }
    }
    @observable(collector)
    class Decorated extends Plain {}
    const Wrapped = observable(collector)(Plain) as typeof Plain;

    const fromBase = await exercise(Tally, 'base', collector);
    const fromDecorator = await exercise(Decorated as never, 'decorated');
    const fromFunction = await exercise(Wrapped as never, 'wrapped');
    expect(fromBase).toHaveLength(2);
    expect(fromBase[1]).toMatchObject({ messageRate: 3, errorRate: 1 / 3, customMetrics: { count: 1 } });
    expect(fromDecorator.map((s) => ({ ...s, timestamp: 0 }))).toEqual(
      fromBase.map((s) => ({ ...s, timestamp: 0 })),
    );
    expect(fromFunction.map((s) => ({ ...s, timestamp: 0 }))).toEqual(
      fromBase.map((s) => ({ ...s, timestamp: 0 })),
    );
  });

  it('is not observed without a collector', async () => {
    const ref = await system.createActor(Tally, 'quiet');
    await expect(ref.ask('add')).resolves.toBe(1);
    expect(collector.getLatestSnapshots().size).toBe(0);
    expect(() => new (Tally as never as new (id: string, c: unknown) => Tally)('x', {})).toThrow(TypeError);
  });
});
