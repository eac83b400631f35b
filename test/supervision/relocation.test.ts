import { threadId } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Actor,
  ActorSystem,
  type FailureEvent,
  isNodeFailedError,
  type NodeOptions,
  Placement,
  SupervisionDirective,
  type SupervisorRef,
  supervised,
} from '../../src/supervision/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { relocations, Tally } from './fixtures/node-actors.js';

const preload = [new URL('./fixtures/register-typescript.mjs', import.meta.url).href];
const nodes = (options: NodeOptions = {}): NodeOptions => ({ count: 2, preload, ...options });

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// Worker threads are real: these tests wait on real time, bounded by `until`.
describe('relocation between worker nodes', { timeout: 60_000 }, () => {
  let system: ActorSystem;
  let supervisor: SupervisorRef;
  let failures: FailureEvent[];

  beforeAll(async () => {
    system = new ActorSystem({ nodes: nodes(), strategy: { restartDelayMs: 0, maxFailures: 100 } });
    failures = [];
    system.onFailure((failure) => failures.push(failure));
    supervisor = await system.createSupervisor('nodes', {
      strategy: { restartDelayMs: 0, maxFailures: 100 },
    });
  });

  afterAll(async () => {
    await system.shutdown();
  });

  const nodeOf = (id: string) => supervisor.whichChildren().find((child) => child.id === id)!.nodeId;

  it('runs an actor placed with node: true on a worker thread', async () => {
    const ref = await supervisor.createChild(Tally, 'placed', { node: true });
    expect(nodeOf('placed')).toMatch(/^node-\d+$/);
    await expect(ref.ask('add', 2)).resolves.toBe(2);
    const workerThread = await ref.ask<number>('where');
    expect(workerThread).not.toBe(threadId);
  });

  it('spreads actors over the nodes round robin', async () => {
    await supervisor.createChild(Tally, 'rr-1', { node: true });
    await supervisor.createChild(Tally, 'rr-2', { node: true });
    expect(nodeOf('rr-1')).not.toBe(nodeOf('rr-2'));
  });

  it('relocates the actors of a node that calls process.exit, delivering waiting messages in order', async () => {
    const ref = await supervisor.createChild(Tally, 'mover', { node: true });
    const source = nodeOf('mover');
    await ref.ask('add', 1);
    ref.tell('exit-node');
    ref.tell('add', 10);
    const answer = ref.ask('add', 100);
    await expect(answer).resolves.toBe(110);
    const state = await ref.ask<{ total: number; hooks: string[] }>('state');
    expect(state.hooks).toEqual([`afterRelocate from ${source} (NodeFailedError)`]);
    expect(nodeOf('mover')).not.toBe(source);
    const failure = failures.find((event) => event.actorId === 'mover')!;
    expect(failure).toMatchObject({ nodeId: source, directive: SupervisionDirective.RELOCATE });
    expect(isNodeFailedError(failure.error)).toBe(true);
    expect((failure.error as { exitCode: number }).exitCode).toBe(3);
    expect(supervisor.getSupervisionStats().totalRelocations).toBeGreaterThanOrEqual(1);
  });

  it('relocates when an uncaught error kills the node', async () => {
    const ref = await supervisor.createChild(Tally, 'crasher', { node: true });
    const source = nodeOf('crasher');
    await expect(ref.ask('crash-node')).resolves.toBe('crashing');
    await until(
      () => nodeOf('crasher') !== source && supervisor.whichChildren().at(-1)!.status === 'running',
    );
    await expect(ref.ask('add', 1)).resolves.toBe(1);
    const failure = failures.find((event) => event.actorId === 'crasher')!;
    expect((failure.error as Error).cause).toMatchObject({ message: 'worker blew up' });
  });

  it('restarts on the same node after a handler failure, which leaves the node alive', async () => {
    const ref = await supervisor.createChild(Tally, 'local-failure', { node: true });
    const source = nodeOf('local-failure');
    await expect(ref.ask('fail')).rejects.toThrow('handler failed');
    const state = await ref.ask<{ hooks: string[] }>('state');
    expect(state.hooks).toEqual(['afterRestart (Error)']);
    expect(nodeOf('local-failure')).toBe(source);
  });

  it('moves a main-thread actor onto a node when decide says RELOCATE, calling beforeRelocate first', async () => {
    const movers = await system.createSupervisor('movers', {
      strategy: { restartDelayMs: 0 },
      decide: () => SupervisionDirective.RELOCATE,
    });
    const ref = await movers.createChild(Tally, 'local-mover');
    expect(movers.whichChildren()[0]!.nodeId).toBe('local');
    await expect(ref.ask('fail')).rejects.toThrow('handler failed');
    const state = await ref.ask<{ hooks: string[] }>('state');
    const target = movers.whichChildren()[0]!.nodeId;
    expect(target).toMatch(/^node-\d+$/);
    expect(relocations).toEqual([`local-mover to ${target} (Error)`]);
    expect(state.hooks).toEqual(['afterRelocate from local (Error)']);
    expect(movers.whichChildren()[0]!.status).toBe('running');
  });

  it('refuses to place a class that has no moduleUrl', async () => {
    class Local extends Actor {
      receive(): void {}
    }
    await expect(supervisor.createChild(Local, 'local', { node: true })).rejects.toThrow(/static moduleUrl/);
  });
});

describe('placement', { timeout: 60_000 }, () => {
  it('puts a new actor on the least loaded node, by queued messages then by actors hosted', async () => {
    const system = new ActorSystem({ nodes: nodes({ placement: Placement.LEAST_LOADED }) });
    await system.rootRef.createChild(Tally, 'first', { node: true });
    await system.rootRef.createChild(Tally, 'second', { node: true });
    const [first, second] = system.rootRef.whichChildren();
    expect(first!.nodeId).not.toBe(second!.nodeId);
    await system.shutdown();
  });

  it('takes the placement a class declares with @supervised', async () => {
    const system = new ActorSystem({ nodes: nodes({ count: 1 }) });
    @supervised({ placement: Placement.RANDOM })
    class RandomTally extends Tally {
      static readonly exportName = 'Tally';
    }
    const ref = await system.rootRef.createChild(RandomTally, 'random', { node: true });
    await expect(ref.ask('add', 3)).resolves.toBe(3);
    expect(system.rootRef.whichChildren()[0]!.nodeId).toBe('node-1');
    await system.shutdown();
  });
});

describe('relocation when a node exceeds its resource limits', { timeout: 60_000 }, () => {
  it('relocates the actor to a fresh node', async () => {
    const system = new ActorSystem({
      nodes: nodes({ count: 1, resourceLimits: { maxOldGenerationSizeMb: 32 } }),
      strategy: { restartDelayMs: 0 },
    });
    const ref = await system.rootRef.createChild(Tally, 'hog', { node: true });
    const errors: unknown[] = [];
    system.onFailure((failure) => errors.push(failure.error));
    await expect(ref.ask('hog')).rejects.toSatisfy(isNodeFailedError);
    await expect(ref.ask('add', 1)).resolves.toBe(1);
    expect((errors[0] as Error).cause).toMatchObject({ code: 'ERR_WORKER_OUT_OF_MEMORY' });
    expect(system.rootRef.whichChildren()[0]!.nodeId).toBe('node-2');
    await system.shutdown();
  });
});

describe('RELOCATE without nodes', () => {
  it('restarts the actor in place', async () => {
    const clock = new VirtualClock();
    const system = new ActorSystem({
      clock,
      decide: () => SupervisionDirective.RELOCATE,
      strategy: { restartDelayMs: 0 },
    });
    const ref = await system.createActor(Tally, 'here');
    await ref.ask('add', 5);
    ref.tell('fail');
    await clock.advance(0);
    await expect(ref.ask('state')).resolves.toMatchObject({ total: 0, hooks: ['afterRestart (Error)'] });
    expect(system.rootRef.getFailureHistory()[0]!.directive).toBe('relocate');
    await system.shutdown();
  });

  it('validates node options', () => {
    expect(() => new ActorSystem({ nodes: { count: 0 } })).toThrow('NodeOptions.count');
    expect(() => new ActorSystem({ nodes: { placement: 'closest' as never } })).toThrow(
      'NodeOptions.placement',
    );
    expect(Placement.LEAST_LOADED).toBe('least_loaded');
  });
});
