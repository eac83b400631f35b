import { isMainThread } from 'node:worker_threads';
import {
  Actor,
  ActorSystem,
  type FailureInfo,
  isMaxRestartsExceededError,
} from '../src/supervision/index.js';

/** Keeps a running balance; a negative amount is a bug that crashes it. */
export class Ledger extends Actor<{ balance: number }> {
  override state = { balance: 0 };

  receive(type: string, amount: number): number {
    if (type === 'post') {
      if (amount < 0) throw new RangeError(`cannot post ${amount}`);
      this.state.balance += amount;
    }
    return this.state.balance;
  }
}

/** Talks to a card network that is down: every charge fails. */
export class CardGateway extends Actor {
  receive(): never {
    throw new Error('card network unreachable');
  }
}

/** Quotes prices from a worker thread; a bad feed can take its whole thread down. */
export class PriceQuoter extends Actor<{ quotes: number; movedFrom: string | undefined }> {
  static readonly moduleUrl = import.meta.url;
  override state = { quotes: 0, movedFrom: undefined as string | undefined };

  receive(type: string): unknown {
    if (type === 'corrupt-feed') process.exit(1);
    if (type === 'quote') this.state.quotes += 1;
    return this.state;
  }

  override afterRelocate(sourceNode: string, _failure: FailureInfo): void {
    this.state.movedFrom = sourceNode;
  }
}

function typeScriptLoader(): string[] {
  // When this file runs from source, worker nodes need the same TypeScript loader.
  try {
    const api = import.meta.resolve('tsx/esm/api');
    return [`data:text/javascript,import{register}from${JSON.stringify(api)};register();`];
  } catch {
    return [];
  }
}

/** A small supervision tree through crashes, a restart storm that escalates, and a relocation. */
export async function demoSupervision(log: (line: string) => void): Promise<void> {
  const system = new ActorSystem({ nodes: { count: 2, preload: typeScriptLoader() } });
  system.onFailure((failure) => {
    const error = failure.error as Error;
    const reason = isMaxRestartsExceededError(error)
      ? error.message
      : `${failure.errorType}: ${error.message}`;
    log(`  ${failure.supervisorId} saw ${failure.actorId} fail (${reason}) → ${failure.directive}`);
  });
  try {
    // The quoter starts on a worker node under its own supervisor, so the thread warms up
    // while the rest runs: a supervisor handles one request at a time, a slow start included.
    const pricing = await system.createSupervisor('pricing');
    const quoterReady = pricing.createChild(PriceQuoter, 'quoter', { node: true });

    log('1. A crash: the ledger restarts with fresh state; the message sent meanwhile waits');
    const payments = await system.createSupervisor('payments', {
      strategy: { maxFailures: 2, withinTimeWindowMs: 1_000, restartDelayMs: 20 },
    });
    const ledger = await payments.createChild(Ledger, 'ledger');
    await ledger.ask('post', 40);
    ledger.tell('post', -5);
    log(`  balance after the restart and one more post: ${await ledger.ask('post', 2)}`);

    log('2. A restart storm: the gateway keeps failing until the supervisor gives up and escalates');
    const gateway = await payments.createChild(CardGateway, 'gateway');
    for (let attempt = 0; attempt < 3; attempt++) {
      await gateway.ask('charge').catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    log(`  payments now has ${payments.countChildren().specs} children; the root restarted it empty`);

    log('3. A relocation: the quoter’s worker thread dies, and it moves to another node');
    const quoter = await quoterReady;
    await quoter.ask('quote');
    const nodeOfQuoter = () => pricing.whichChildren()[0]!.nodeId;
    const before = nodeOfQuoter();
    quoter.tell('corrupt-feed');
    const after = await quoter.ask<{ quotes: number; movedFrom: string }>('quote');
    log(
      `  it ran on ${before} and now answers from ${nodeOfQuoter()} (afterRelocate saw ${after.movedFrom})`,
    );
  } finally {
    await system.shutdown();
    log('4. Shut down: every actor stopped in reverse start order, worker nodes terminated');
  }
}

if (isMainThread && import.meta.url === `file://${process.argv[1]}`) {
  await demoSupervision(console.log);
}
