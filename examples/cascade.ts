import {
  type CascadeEventSink,
  CascadePreventionSystem,
  isActorQuarantinedError,
} from '../src/cascade/index.js';
import { Actor, type ActorRef, ActorSystem } from '../src/supervision/index.js';

/** The stock service; its database is down, so every reservation fails. */
export class Inventory extends Actor {
  receive(type: string): never {
    throw new Error(`stock database unreachable (${type})`);
  }
}

/** Calls the next service through the cascade system and fails when it fails. */
export class Caller extends Actor {
  constructor(
    actorId: string,
    private readonly cascade: CascadePreventionSystem,
    private readonly next: ActorRef,
  ) {
    super(actorId);
  }

  async receive(type: string, payload: unknown): Promise<unknown> {
    try {
      return await this.cascade.protectedCall(this.next, type, payload, { timeoutMs: 500 });
    } catch (error) {
      throw new Error(`${this.actorId} could not ${type}`, { cause: error });
    }
  }
}

/** One of three replicas of the price list; a corrupted one answers wrongly. */
export class PriceReplica extends Actor {
  constructor(
    actorId: string,
    private readonly prices: Record<string, number>,
  ) {
    super(actorId);
  }

  receive(_type: string, sku: string): number | undefined {
    return this.prices[sku];
  }
}

/** One failing actor, a cascade cut off by quarantine, and a lying replica outvoted. */
export async function demoCascade(log: (line: string) => void): Promise<void> {
  const system = new ActorSystem({ strategy: { maxFailures: 20, restartDelayMs: 1 } });
  const collector: CascadeEventSink = {
    recordSystemEvent(eventType, eventData) {
      if (eventType === 'actor_quarantined')
        log(`  collector: ${eventData.actorId} quarantined — ${eventData.reason}`);
    },
  };
  const cascade = new CascadePreventionSystem(system, collector, {
    propagation: { maxPropagationDepth: 1, quarantineDurationMs: 10_000 },
    consensus: { agreementThreshold: 0.6 },
  });
  cascade.start();
  try {
    const inventory = await system.createActor(Inventory, 'inventory');
    const orders = await system.createActor(Caller, 'orders', cascade, inventory);
    const checkout = await system.createActor(Caller, 'checkout', cascade, orders);

    log('1. The inventory database goes down; a checkout fails through orders');
    await checkout
      .ask('reserve', { sku: 'lamp' })
      .catch((error: Error) => log(`  checkout answered: ${error.message}`));
    // Supervisors report failures through their mailboxes: give them a moment.
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const failure of cascade.propagationTracker.getFailureHistory()) {
      const path = [...failure.propagationPath, failure.actorId].join(' → ');
      log(`  tracked: ${path} (depth ${failure.depth})`);
    }
    const { edges } = cascade.propagationTracker.analyzePropagationPatterns();
    log(`  propagation graph: ${edges.map((edge) => `${edge.from} → ${edge.to} ×${edge.count}`).join(', ')}`);

    log('2. Calls to the quarantined inventory fail fast instead of piling up');
    const started = performance.now();
    const refused = await cascade
      .protectedCall(inventory, 'reserve', { sku: 'lamp' })
      .catch((error: unknown) => error);
    if (isActorQuarantinedError(refused)) {
      log(
        `  refused in ${(performance.now() - started).toFixed(2)} ms with ${refused.code}; retry after ~${Math.round(refused.retryAfterMs / 1000)} s`,
      );
    }

    log('3. Three price replicas vote; the corrupted one is outvoted and tracked');
    const replicas = await Promise.all([
      system.createActor(PriceReplica, 'prices-1', { lamp: 49 }),
      system.createActor(PriceReplica, 'prices-2', { lamp: 49 }),
      system.createActor(PriceReplica, 'prices-3', { lamp: 4900 }),
    ]);
    const [agreed, price] = await cascade.validateWithConsensus<number>(
      replicas,
      { type: 'price', payload: 'lamp' },
      { timeoutMs: 200 },
    );
    log(`  agreed: ${agreed}, price: ${price}`);
    const liar = cascade.propagationTracker.getFailureHistory('prices-3')[0];
    log(`  prices-3 tracked with ${liar?.failureType}`);

    const status = cascade.getSystemStatus();
    log(
      `4. Health ${status.healthScore.toFixed(2)}, emergency mode ${status.emergencyMode ? 'on' : 'off'}, quarantined: ${status.quarantinedActors.join(', ')}`,
    );
  } finally {
    cascade.stop();
    await system.shutdown();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await demoCascade(console.log);
}
