import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ActorSystem,
  AllForOneStrategy,
  OneForOneStrategy,
  RestartPolicy,
  RestForOneStrategy,
  SupervisionStrategy,
  type SupervisorRef,
} from '../../src/supervision/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { Flaky, journal, resetFixtures } from './fixtures/flaky.js';

const quick = new SupervisionStrategy({ restartDelayMs: 0, maxFailures: 10 });

async function startThree(supervisor: SupervisorRef, policies: RestartPolicy[] = []) {
  const refs = [];
  for (const [index, id] of ['a', 'b', 'c'].entries()) {
    refs.push(await supervisor.createChild(Flaky, id, { restartPolicy: policies[index] }));
  }
  journal.length = 0;
  return refs;
}

describe('supervision strategies', () => {
  let clock: VirtualClock;
  let system: ActorSystem;

  beforeEach(() => {
    resetFixtures();
    clock = new VirtualClock();
    system = new ActorSystem({ clock });
  });

  afterEach(async () => {
    await system.shutdown();
  });

  it('one-for-one restarts only the failed child', async () => {
    const supervisor = await system.createSupervisor('s', { strategy: new OneForOneStrategy(quick) });
    const [a, b, c] = await startThree(supervisor);
    a!.tell('add', 1);
    c!.tell('add', 1);
    b!.tell('fail');
    await clock.advance(0);
    await expect(b!.ask('state')).resolves.toMatchObject({ count: 0 });
    expect(journal).toEqual(['beforeRestart b (b)', 'start b', 'afterRestart b (b)']);
    await expect(a!.ask('state')).resolves.toMatchObject({ count: 1 });
    await expect(c!.ask('state')).resolves.toMatchObject({ count: 1 });
    expect(supervisor.whichChildren().map((child) => child.restartCount)).toEqual([0, 1, 0]);
  });

  it('all-for-one stops the others in reverse start order, then restarts all in start order', async () => {
    const supervisor = await system.createSupervisor('s', { strategy: new AllForOneStrategy(quick) });
    const [a, b, c] = await startThree(supervisor);
    a!.tell('add', 1);
    b!.tell('fail');
    await clock.advance(0);
    await expect(c!.ask('state')).resolves.toMatchObject({ count: 0 });
    expect(journal).toEqual([
      'beforeRestart c (b)',
      'beforeRestart a (b)',
      'beforeRestart b (b)',
      'start a',
      'afterRestart a (b)',
      'start b',
      'afterRestart b (b)',
      'start c',
      'afterRestart c (b)',
    ]);
    await expect(a!.ask('state')).resolves.toMatchObject({ count: 0 });
    expect(supervisor.whichChildren().map((child) => child.id)).toEqual(['a', 'b', 'c']);
  });

  it('rest-for-one restarts the failed child and those started after it', async () => {
    const supervisor = await system.createSupervisor('s', { strategy: new RestForOneStrategy(quick) });
    const [a, b, c] = await startThree(supervisor);
    a!.tell('add', 1);
    b!.tell('fail');
    await clock.advance(0);
    await expect(c!.ask('state')).resolves.toMatchObject({ count: 0 });
    expect(journal).toEqual([
      'beforeRestart c (b)',
      'beforeRestart b (b)',
      'start b',
      'afterRestart b (b)',
      'start c',
      'afterRestart c (b)',
    ]);
    await expect(a!.ask('state')).resolves.toMatchObject({ count: 1 });
  });

  it('removes a NEVER child hit as a bystander instead of restarting it', async () => {
    const supervisor = await system.createSupervisor('s', { strategy: new AllForOneStrategy(quick) });
    const [a, , c] = await startThree(supervisor, [RestartPolicy.ON_FAILURE, RestartPolicy.NEVER]);
    a!.tell('fail');
    await clock.advance(0);
    await expect(c!.ask('state')).resolves.toMatchObject({ count: 0 });
    expect(journal).toContain('stop b');
    expect(supervisor.whichChildren().map((child) => child.id)).toEqual(['a', 'c']);
    expect(system.getActor('b')).toBeUndefined();
  });

  it('removes a failed NEVER child', async () => {
    const supervisor = await system.createSupervisor('s', { strategy: quick });
    const child = await supervisor.createChild(Flaky, 'once', { restartPolicy: RestartPolicy.NEVER });
    await expect(child.ask('fail')).rejects.toThrow('once failed');
    await clock.advance(0);
    expect(supervisor.countChildren()).toEqual({ specs: 0, active: 0, supervisors: 0, workers: 0 });
  });

  it('lists affected children through registerChild and getAffectedChildren', () => {
    const oneForOne = new OneForOneStrategy();
    const allForOne = new AllForOneStrategy();
    const restForOne = new RestForOneStrategy();
    for (const strategy of [oneForOne, allForOne, restForOne]) {
      for (const id of ['a', 'b', 'c']) strategy.registerChild(id);
    }
    expect(oneForOne.getAffectedChildren('b')).toEqual(['b']);
    expect(allForOne.getAffectedChildren('b')).toEqual(['a', 'b', 'c']);
    expect(restForOne.getAffectedChildren('b')).toEqual(['b', 'c']);
    expect(restForOne.getAffectedChildren('unknown')).toEqual([]);
    restForOne.unregisterChild('c');
    expect(restForOne.getAffectedChildren('a')).toEqual(['a', 'b']);
  });

  it('gives each supervisor its own copy of a shared strategy', async () => {
    const shared = new AllForOneStrategy(quick);
    const first = await system.createSupervisor('first', { strategy: shared });
    const second = await system.createSupervisor('second', { strategy: shared });
    await first.createChild(Flaky, 'x');
    const y = await second.createChild(Flaky, 'y');
    journal.length = 0;
    y.tell('fail');
    await clock.advance(0);
    expect(journal.some((line) => line.includes(' x '))).toBe(false);
    expect(shared.getAffectedChildren('x')).toEqual([]);
    expect(first.getSupervisionStats().strategy).toBe('all_for_one');
  });

  it('uses the strategy defaults of the reference documents', () => {
    const strategy = new OneForOneStrategy();
    expect(strategy.kind).toBe('one_for_one');
    expect(strategy.supervisionStrategy.toJSON()).toEqual({
      maxFailures: 3,
      withinTimeWindowMs: 60_000,
      restartPolicy: 'on_failure',
      restartDelayMs: 100,
      backoffMultiplier: 2,
      maxRestartDelayMs: 30_000,
    });
  });
});
