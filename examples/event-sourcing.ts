import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  Event,
  EventSourcedActor,
  FileEventStore,
  FileSnapshotStore,
  ReplayController,
} from '../src/event-sourcing/index.js';
import { ActorSystem } from '../src/supervision/index.js';

type Balance = { balance: number };

class Account extends EventSourcedActor<Balance> {
  override state: Balance = { balance: 0 };

  async receive(type: string, amount: number): Promise<number> {
    if (type === 'deposit')
      await this.recordStateChange('balance', this.state.balance, this.state.balance + amount);
    if (type === 'snapshot') await this.takeSnapshot();
    return this.state.balance;
  }
}

/**
 * Records an account's history in the embedded file store, loses the process's memory,
 * restores the account from its snapshot and events, then replays one request's events.
 */
export async function demoEventSourcing(log: (line: string) => void): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'bulwark-demo-'));
  try {
    const open = async () => {
      const eventStore = new FileEventStore({ storagePath: join(folder, 'events') });
      const snapshotStore = new FileSnapshotStore({ storagePath: join(folder, 'snapshots') });
      await eventStore.start();
      return { eventStore, snapshotStore };
    };

    let stores = await open();
    let system = new ActorSystem();
    let account = await system.createActor(Account, 'account-1', stores);
    for (const amount of [100, 250])
      log(`deposit ${amount} → balance ${await account.ask('deposit', amount)}`);
    await account.ask('snapshot', 0);
    log('snapshot taken');
    log(`deposit 50 → balance ${await account.ask('deposit', 50)}`);

    await system.shutdown();
    await stores.eventStore.stop();
    log('process memory gone: actor system shut down, event store closed');

    stores = await open();
    system = new ActorSystem();
    account = await system.createActor(Account, 'account-1', stores);
    log(`restored from the snapshot and the deposit after it: balance ${await account.ask('balance', 0)}`);

    const order = 'order-42';
    const placed = new Event({
      eventType: 'order_placed',
      actorId: 'cart-7',
      data: { sku: 'kettle' },
      correlationId: order,
    });
    await stores.eventStore.appendEvent(placed);
    await stores.eventStore.appendEvent(
      new Event({
        eventType: 'state_changed',
        actorId: 'stock-kettle',
        data: { changeType: 'left', oldValue: 5, newValue: 4 },
        correlationId: order,
        causationId: placed.eventId,
      }),
    );
    const replay = new ReplayController(system, stores.eventStore, stores.snapshotStore);
    const scenario = await replay.replayScenario(order, { speed: Number.POSITIVE_INFINITY });
    log(
      `replayed ${scenario.eventsReplayed} events of ${order} in an isolated system: ${JSON.stringify(scenario.states)}`,
    );

    await system.shutdown();
    await stores.eventStore.stop();
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await demoEventSourcing((line) => console.log(line));
}
