import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  Actor,
  ActorSystem,
  getGlobalActorSystem,
  RootSupervisor,
  SupervisorActor,
} from '../../src/supervision/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { Flaky, journal, resetFixtures, startFailures } from './fixtures/flaky.js';

class SlowStop extends Actor {
  override async postStop(): Promise<void> {
    journal.push(`stopping ${this.actorId}`);
    await new Promise<void>((resolve) => this.system.clock.setTimeout(resolve, 300));
    journal.push(`stopped ${this.actorId}`);
  }
  receive(): void {}
}

class HangingStop extends Actor {
  override postStop(): Promise<void> {
    journal.push(`hanging ${this.actorId}`);
    return new Promise(() => {});
  }
  receive(): void {}
}

describe('shutdown', () => {
  let clock: VirtualClock;
  let system: ActorSystem;

  beforeEach(() => {
    resetFixtures();
    clock = new VirtualClock();
    system = new ActorSystem({ clock });
  });

  afterEach(() => {
    system.root.emergencyStop();
  });

  it('stops children in reverse start order, depth first', async () => {
    const top = await system.createSupervisor('top');
    await top.createChild(Flaky, 'a');
    const middle = await top.createChild(SupervisorActor, 'middle');
    await middle.createChild(Flaky, 'm1');
    await middle.createChild(Flaky, 'm2');
    await top.createChild(Flaky, 'c');
    await system.createActor(Flaky, 'last');
    journal.length = 0;
    await system.shutdown();
    expect(journal).toEqual(['stop last', 'stop c', 'stop m2', 'stop m1', 'stop a']);
    expect(system.getActor('a')).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
  });

  it('bounds each child stop by its shutdown timeout and goes on', async () => {
    const supervisor = await system.createSupervisor('s');
    await supervisor.createChild(SlowStop, 'slow', { shutdownTimeoutMs: 1000 });
    await supervisor.createChild(HangingStop, 'hung', { shutdownTimeoutMs: 500 });
    let done = false;
    const stopping = system.shutdown().then(() => {
      done = true;
    });
    await clock.advance(499);
    expect(journal).toEqual(['hanging hung']);
    await clock.advance(1);
    expect(journal).toEqual(['hanging hung', 'stopping slow']);
    await clock.advance(300);
    await stopping;
    expect(done).toBe(true);
    expect(journal).toEqual(['hanging hung', 'stopping slow', 'stopped slow']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('waits for the message in flight, within the shutdown timeout', async () => {
    class Working extends Actor {
      async receive() {
        await new Promise<void>((resolve) => this.system.clock.setTimeout(resolve, 200));
        journal.push('work done');
      }
      override postStop() {
        journal.push('postStop');
      }
    }
    const worker = await system.createActor(Working, 'w');
    worker.tell('work');
    await clock.advance(0);
    const stopping = system.stopActor('w');
    await clock.advance(200);
    await stopping;
    expect(journal).toEqual(['work done', 'postStop']);
  });

  it('completes a stop during a restart loop', async () => {
    const supervisor = await system.createSupervisor('s', {
      strategy: { maxFailures: 1000, restartDelayMs: 100, backoffMultiplier: 1 },
    });
    const child = await supervisor.createChild(Flaky, 'loop');
    startFailures.set('loop', Number.POSITIVE_INFINITY);
    child.tell('fail');
    await clock.advance(350);
    expect(supervisor.whichChildren()[0]!.status).toBe('restarting');
    expect(supervisor.getSupervisionStats().totalFailures).toBeGreaterThan(2);
    await system.shutdown();
    expect(supervisor.whichChildren()).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(1000);
    expect(journal.filter((line) => line === 'start loop')).toHaveLength(4);
  });

  it('stops a child from outside while it backs off', async () => {
    const supervisor = await system.createSupervisor('s', { strategy: { restartDelayMs: 1000 } });
    const child = await supervisor.createChild(Flaky, 'c');
    child.tell('fail');
    await clock.advance(10);
    await supervisor.stopChild('c');
    await clock.advance(2000);
    expect(supervisor.whichChildren()[0]!.status).toBe('stopped');
    expect(journal.filter((line) => line === 'start c')).toHaveLength(1);
  });

  it('emergencyStop stops everything at once, without hooks', async () => {
    const supervisor = await system.createSupervisor('s');
    const a = await supervisor.createChild(HangingStop, 'a');
    await system.createActor(Flaky, 'b');
    journal.length = 0;
    system.root.emergencyStop();
    expect(journal).toEqual([]);
    expect(system.getActor('a')).toBeUndefined();
    expect(system.getActor('b')).toBeUndefined();
    await expect(a.ask('x')).rejects.toMatchObject({ code: 'ACTOR_STOPPED' });
    expect(system.isShutdown).toBe(true);
  });

  it('answers system_shutdown and emergency_stop messages', async () => {
    await system.createActor(Flaky, 'a');
    await system.rootRef.ask('system_shutdown');
    expect(journal).toEqual(['start a', 'stop a']);
    expect(system.isShutdown).toBe(true);
    const other = new ActorSystem({ clock });
    await other.createActor(HangingStop, 'h');
    await other.rootRef.ask('emergency_stop');
    expect(other.getActor('h')).toBeUndefined();
  });

  it('shuts the whole system down from a RootSupervisor created as an actor', async () => {
    const root = await system.createActor(RootSupervisor, 'root-supervisor');
    await root.createChild(Flaky, 'a');
    await root.ask('system_shutdown');
    expect(journal).toEqual(['start a', 'stop a']);
    expect(system.isShutdown).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('starts a graceful shutdown on SIGTERM once installSignalHandlers was called', async () => {
    await system.createActor(Flaky, 'a');
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const handlers = system.root.installSignalHandlers({ exitAfterShutdown: false });
    process.emit('SIGTERM', 'SIGTERM');
    await clock.advance(0);
    expect(journal).toEqual(['start a', 'stop a']);
    expect(kill).not.toHaveBeenCalled();
    expect(process.listenerCount('SIGTERM')).toBe(0);
    handlers.dispose();
    kill.mockRestore();
  });

  it('re-raises the signal after the shutdown by default', async () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const before = process.listenerCount('SIGINT');
    system.root.installSignalHandlers();
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    process.emit('SIGINT', 'SIGINT');
    await clock.advance(0);
    expect(kill).toHaveBeenCalledWith(process.pid, 'SIGINT');
    kill.mockRestore();
  });

  it('keeps one global actor system until it is shut down', async () => {
    const first = getGlobalActorSystem();
    expect(getGlobalActorSystem()).toBe(first);
    expect(first.root).toBeInstanceOf(RootSupervisor);
    await first.shutdown();
    const second = getGlobalActorSystem();
    expect(second).not.toBe(first);
    await second.shutdown();
  });
});
