import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { ClassDecorator } from '../../src/core/index.js';
import {
  type EventSourced,
  EventSourcedActor,
  type EventSourcedOptions,
  EventType,
  eventSourced,
  isExpectedVersionConflictError,
  MemoryEventStore,
  MemorySnapshotStore,
  type ReadStreamOptions,
  type RecordedEvent,
  ReplayController,
} from '../../src/event-sourcing/index.js';
import { Actor, ActorSystem } from '../../src/supervision/index.js';
import { VirtualClock } from '../../src/testing/virtual-clock.js';
import { change } from './event-store-contract.js';

type Balance = { balance: number; owner: string };

class Account extends EventSourcedActor<Balance> {
  override state: Balance = { balance: 0, owner: 'nobody' };
  async receive(type: string, payload: number): Promise<unknown> {
    if (type === 'deposit')
      await this.recordStateChange('balance', this.state.balance, this.state.balance + payload);
    if (type === 'snapshot') await this.takeSnapshot();
    return this.state.balance;
  }
}

const stores = (): { eventStore: MemoryEventStore; snapshotStore: MemorySnapshotStore } => ({
  eventStore: new MemoryEventStore(),
  snapshotStore: new MemorySnapshotStore(),
});

// The same actor as a decorated plain Actor, to show both faces behave alike.
function decoratedAccount(options: EventSourcedOptions) {
  @eventSourced(options)
  class DecoratedAccount extends Actor<Balance> {
    declare recordStateChange: EventSourced['recordStateChange'];
    declare takeSnapshot: EventSourced['takeSnapshot'];
    override state: Balance = { balance: 0, owner: 'nobody' };
    async receive(type: string, payload: number): Promise<unknown> {
      if (type === 'deposit')
        await this.recordStateChange('balance', this.state.balance, this.state.balance + payload);
      if (type === 'snapshot') await this.takeSnapshot();
      return this.state.balance;
    }
  }
  return DecoratedAccount;
}

const faces = [
  [
    'EventSourcedActor',
    (system: ActorSystem, id: string, options: EventSourcedOptions) =>
      system.createActor(Account, id, options),
  ],
  [
    '@eventSourced',
    (system: ActorSystem, id: string, options: EventSourcedOptions) =>
      system.createActor(decoratedAccount(options), id),
  ],
] as const;

describe.each(faces)('%s', (_face, create) => {
  const systems: ActorSystem[] = [];
  const newSystem = (clock = new VirtualClock(1_000)): ActorSystem => {
    const system = new ActorSystem({ clock });
    systems.push(system);
    return system;
  };
  afterEach(async () => {
    for (const system of systems.splice(0)) await system.shutdown();
  });

  it('records each state change before applying it, and a new incarnation recovers it', async () => {
    const options = stores();
    const first = newSystem();
    const account = await create(first, 'acct', options);
    await account.ask('deposit', 10);
    expect(await account.ask('deposit', 5)).toBe(15);
    const history = await options.eventStore.readStream('acct');
    expect(
      history.map((event) => [
        event.eventType,
        event.data.changeType,
        event.data.oldValue,
        event.data.newValue,
      ]),
    ).toEqual([
      [EventType.STATE_CHANGED, 'balance', 0, 10],
      [EventType.STATE_CHANGED, 'balance', 10, 15],
    ]);
    await first.shutdown();
    const restored = await create(newSystem(), 'acct', options);
    expect(await restored.ask('deposit', 1)).toBe(16);
  });

  it('recovers from the newest snapshot and only the events after it', async () => {
    const options = stores();
    const reads: (ReadStreamOptions | undefined)[] = [];
    const readStream = options.eventStore.readStream.bind(options.eventStore);
    options.eventStore.readStream = (streamId, read) => {
      reads.push(read);
      return readStream(streamId, read);
    };
    const first = newSystem();
    const account = await create(first, 'acct', options);
    await account.ask('deposit', 10);
    await account.ask('snapshot', 0);
    await account.ask('deposit', 7);
    await first.shutdown();
    reads.length = 0;
    const restored = await create(newSystem(), 'acct', options);
    // The snapshot holds version 1; version 2 is its SNAPSHOT_TAKEN marker.
    expect(reads).toEqual([{ fromVersion: 2 }]);
    expect(await restored.ask('balance', 0)).toBe(17);
  });

  it('holds messages that arrive during recovery, then handles them in order on the recovered state', async () => {
    const options = stores();
    await options.eventStore.appendToStream('acct', [
      change('acct', { changeType: 'balance', oldValue: 0, newValue: 100 }),
    ]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const readStream = options.eventStore.readStream.bind(options.eventStore);
    options.eventStore.readStream = async (streamId, read) => {
      await gate;
      return readStream(streamId, read);
    };
    const system = newSystem();
    const creating = create(system, 'acct', options);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const account = await creating;
    const answers = await Promise.all([
      account.ask('deposit', 1),
      account.ask('deposit', 2),
      account.ask('balance', 0),
    ]);
    expect(answers).toEqual([101, 103, 103]);
  });

  it('never lets memory run ahead of the store: a refused append leaves the state unchanged', async () => {
    const options = stores();
    const system = newSystem();
    const account = await create(system, 'acct', options);
    await account.ask('deposit', 10);
    await options.eventStore.appendToStream('acct', [
      change('acct', { changeType: 'owner', oldValue: 'nobody', newValue: 'eve' }),
    ]);
    const error = await account.ask('deposit', 5).catch((caught: unknown) => caught);
    expect(isExpectedVersionConflictError(error)).toBe(true);
    const recovered = await create(newSystem(), 'acct-copy', options);
    expect(await recovered.ask('balance', 0)).toBe(0);
    expect((await options.eventStore.readStream('acct')).map((event) => event.data.newValue)).toEqual([
      10,
      'eve',
    ]);
  });
});

describe('EventSourcedActor history', () => {
  it('restores the state as it was at a time, and replays its history at a chosen speed', async () => {
    const clock = new VirtualClock(0);
    const system = new ActorSystem({ clock });
    const options = stores();
    let actor!: Account;
    class Probe extends Account {
      override async preStart(): Promise<void> {
        actor = this;
        await super.preStart();
      }
    }
    const ref = await system.createActor(Probe, 'acct', options);
    await ref.ask('deposit', 10);
    await clock.advance(1_000);
    await ref.ask('snapshot', 0);
    await clock.advance(1_000);
    await ref.ask('deposit', 5);
    await clock.advance(1_000);
    await ref.ask('deposit', 5);
    expect(await actor.restoreFromSnapshot(2_500)).toBe(true);
    expect(actor.state.balance).toBe(15);
    expect(await actor.restoreFromSnapshot(500)).toBe(false);

    const seen: unknown[] = [];
    const replay = actor.replayHistory({ speed: 2, callback: () => seen.push(actor.state.balance) });
    await clock.advance(0);
    expect(seen).toEqual([10]);
    await clock.advance(500);
    expect(seen).toEqual([10, 10]);
    await clock.advance(1_000);
    expect(await replay).toBe(4);
    expect(seen).toEqual([10, 10, 15, 20]);
    await system.shutdown();
  });

  it('takes its stores as two arguments too, and keeps history in memory when given none', async () => {
    const system = new ActorSystem();
    const { eventStore, snapshotStore } = stores();
    const positional = await system.createActor(Account, 'positional', eventStore, snapshotStore);
    await positional.ask('deposit', 4);
    expect(await eventStore.readStream('positional')).toHaveLength(1);
    const bare = await system.createActor(Account, 'bare');
    expect(await bare.ask('deposit', 2)).toBe(2);
    await system.shutdown();
  });

  it('types the event-sourced methods', () => {
    expectTypeOf<Account['recordStateChange']>().returns.toEqualTypeOf<Promise<RecordedEvent>>();
    expectTypeOf<Account['restoreFromSnapshot']>().returns.toEqualTypeOf<Promise<boolean>>();
    expectTypeOf<Account['state']>().toEqualTypeOf<Balance>();
    expectTypeOf(eventSourced).returns.toEqualTypeOf<ClassDecorator>();
  });

  it('rejects unknown options', () => {
    expect(() => eventSourced({ eventStore: new MemoryEventStore(), snapshots: 1 } as never)).toThrow(
      /has no option "snapshots"/,
    );
  });
});

describe('ReplayController', () => {
  it("replays a correlation id's events in an isolated system, starting from the state before them", async () => {
    const clock = new VirtualClock(0);
    const eventStore = new MemoryEventStore({ clock });
    const snapshotStore = new MemorySnapshotStore();
    const set = (actorId: string, key: string, value: unknown, correlationId?: string, timestamp = 0) =>
      eventStore.appendEvent(
        change(actorId, { changeType: key, oldValue: null, newValue: value }, { correlationId, timestamp }),
      );
    await set('cart', 'items', 1, undefined, 0);
    await set('stock', 'left', 10, undefined, 0);
    await set('cart', 'items', 2, 'req-9', 100);
    await set('stock', 'left', 9, 'req-9', 300);
    await set('cart', 'items', 7, undefined, 400);
    const live = new ActorSystem({ clock });
    const replay = new ReplayController(live, eventStore, snapshotStore);
    const running = replay.replayScenario('req-9', { speed: 2 });
    await clock.advance(100);
    const result = await running;
    expect(result).toMatchObject({ correlationId: 'req-9', eventsReplayed: 2, actorIds: ['cart', 'stock'] });
    expect(result.states).toEqual({ cart: { items: 2 }, stock: { left: 9 } });
    expect(live.getActor('cart')).toBeUndefined();
    const inLive = await replay.replayScenario('req-9', { speed: Number.POSITIVE_INFINITY, isolated: false });
    expect(inLive.states).toEqual(result.states);
    await live.shutdown();
  });

  it('takes a debugging checkpoint: a snapshot of every running event-sourced actor', async () => {
    const system = new ActorSystem();
    const options = stores();
    const a = await system.createActor(Account, 'a', options);
    await system.createActor(Account, 'b', options);
    await a.ask('deposit', 3);
    const replay = new ReplayController(system, options.eventStore, options.snapshotStore);
    const id = await replay.createDebuggingCheckpoint('before deployment');
    expect(replay.checkpoints).toEqual([
      expect.objectContaining({ checkpointId: id, description: 'before deployment' }),
    ]);
    expect(replay.checkpoints[0]!.snapshots.map((snapshot) => snapshot.actorId).sort()).toEqual(['a', 'b']);
    expect((await options.snapshotStore.loadSnapshot('a'))?.readState()).toEqual({
      balance: 3,
      owner: 'nobody',
    });
    await system.shutdown();
  });
});
