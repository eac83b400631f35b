import {
  ObservabilityCollector,
  ObservabilityDashboard,
  observable,
  SteeringController,
} from '../src/observability/index.js';
import { Actor, type ActorRef, ActorSystem } from '../src/supervision/index.js';

/**
 * The checkout floor under a flash sale: the storefront sends nearly every request to the
 * stock service, the collector finds the hotspot, steering pauses and resumes it, and the
 * live dashboard takes one authorised and one forged steering request.
 */
export async function demoObservability(log: (line: string) => void): Promise<void> {
  const collector = new ObservabilityCollector({ aggregationIntervalMs: 1000 });
  const system = new ActorSystem();
  const steering = new SteeringController(system, { collector });

  @observable(collector)
  class Stock extends Actor<{ reserved: number }> {
    override state = { reserved: 0 };
    receive(type: string) {
      if (type === 'reserve') this.state.reserved++;
      return this.state.reserved;
    }
    getCustomMetrics() {
      return { reserved: this.state.reserved };
    }
  }

  @observable(collector)
  class Storefront extends Actor {
    constructor(
      actorId: string,
      private readonly stock: ActorRef,
      private readonly emails: ActorRef,
    ) {
      super(actorId);
    }
    async receive(type: string, payload: { items: number }) {
      if (type !== 'checkout') return undefined;
      for (let item = 0; item < payload.items; item++) await this.stock.ask('reserve');
      this.emails.tell('confirm');
      return payload.items;
    }
  }

  @observable(collector)
  class Emails extends Actor {
    receive() {
      return 'sent';
    }
  }

  collector.start();
  collector.onPattern((pattern) => log(`  pattern found: [${pattern.patternType}] ${pattern.description}`));
  let server: Awaited<ReturnType<ObservabilityDashboard['serve']>> | undefined;
  try {
    const stock = await system.createActor(Stock, 'stock');
    const emails = await system.createActor(Emails, 'emails');
    const storefront = await system.createActor(Storefront, 'storefront', stock, emails);
    log('1. Three observable actors run: storefront, stock and emails.');

    for (let order = 0; order < 5; order++) await storefront.ask('checkout', { items: 8 });
    const flows = collector.getMessageFlows();
    log(
      `2. Five flash-sale checkouts: ${flows.length} messages, ${flows.filter((flow) => flow.destination === 'stock').length} of them to stock.`,
    );
    collector.detectPatterns();

    steering.pauseActor('stock');
    stock.tell('reserve');
    stock.tell('reserve');
    log(
      `3. Steering pauses stock: ${steering.inspectActor('stock')?.mailboxSize} reservations wait in its mailbox.`,
    );
    steering.resumeActor('stock');
    log(`   Resumed: ${await stock.ask('read')} units reserved, nothing lost.`);

    const dashboard = new ObservabilityDashboard(collector, steering);
    server = await dashboard.serve({ port: 0, token: 'flash-sale-operator-token' });
    log(`4. Dashboard live at ${server.url} (loopback only).`);
    const state = (await (await fetch(new URL('/api/state', server.url))).json()) as {
      overview: { health: string; actorCount: number };
    };
    log(`   GET /api/state: health ${state.overview.health}, ${state.overview.actorCount} actors.`);
    const forged = await fetch(new URL('/api/actors/stock/pause', server.url), { method: 'POST' });
    log(
      `   POST pause without the token: ${forged.status}; stock paused: ${steering.inspectActor('stock')?.paused}.`,
    );
    const authorised = await fetch(new URL('/api/actors/emails/messages', server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'confirm', source: 'operator' }),
    });
    log(`   POST inject "confirm" to emails with the token: ${authorised.status}.`);
    const steered = collector
      .getSystemEvents()
      .filter((event) => event.eventType === 'steering_action').length;
    log(`5. ${steered} steering actions recorded; the dashboard closes.`);
  } finally {
    await server?.close();
    collector.stop();
    await system.shutdown();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await demoObservability(console.log);
}
