import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  Actor,
  type ActorRef,
  ActorSystem,
  isActorAlreadyExistsError,
  isActorStartError,
  isActorStoppedError,
  isAskTimeoutError,
  isHandlerTimeoutError,
  RootSupervisor,
  SupervisionDirective,
  SupervisorActor,
  type SupervisorRef,
} from '../../src/supervision/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { Flaky, journal, resetFixtures } from './fixtures/flaky.js';

class Slow extends Actor<{ log: string[] }> {
  override state = { log: [] as string[] };
  async receive(type: string, payload: number) {
    this.state.log.push(`begin ${type}`);
    await new Promise((resolve) => setTimeout(resolve, payload));
    this.state.log.push(`end ${type}`);
    return this.state.log.length;
  }
}

describe('Actor', () => {
  let clock: VirtualClock;
  let system: ActorSystem;

  beforeEach(() => {
    resetFixtures();
    clock = new VirtualClock();
    system = new ActorSystem({ clock });
  });

  afterEach(async () => {
    const done = system.shutdown();
    await clock.advance(10_000);
    await done;
  });

  it('handles told messages in order and answers ask with what receive returns', async () => {
    const ref = await system.createActor(Flaky, 'counter');
    for (let index = 0; index < 5; index++) ref.tell('add', index);
    await expect(ref.ask('add', 5)).resolves.toBe(6);
    const state = await ref.ask<{ seen: string[] }>('state');
    expect(state.seen).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('keeps the order of an ask to an idle actor and the messages sent right after it', async () => {
    const ref = await system.createActor(Flaky, 'ordered');
    const first = ref.ask('add', 'ask');
    ref.tell('add', 'tell');
    const failing = ref.ask('fail', new Error('third'));
    ref.tell('add', 'after failure');
    await expect(first).resolves.toBe(1);
    await expect(failing).rejects.toThrow('third');
    await clock.advance(100);
    await expect(ref.ask('state')).resolves.toMatchObject({ seen: ['after failure'] });
  });

  it('keeps an ask to an idle actor ahead of later messages when the actor fails first', async () => {
    const supervisor = await system.createSupervisor('s', { strategy: { restartDelayMs: 0 } });
    const ref = await supervisor.createChild(Flaky, 'c');
    // The report is handled before the ask, so the ask finds the actor failed and waits.
    supervisor.tell('child_failed', { childId: 'c', error: new Error('reported') });
    const answer = ref.ask('add', 'first');
    ref.tell('add', 'second');
    await clock.advance(0);
    await expect(answer).resolves.toBe(1);
    await expect(ref.ask('state')).resolves.toMatchObject({ seen: ['first', 'second'] });
  });

  it('rejects an ask to an idle actor that is stopped before handling it', async () => {
    const ref = await system.createActor(Flaky, 'leaving');
    const answer = ref.ask('add', 1);
    system.root.emergencyStop();
    await expect(answer).rejects.toSatisfy(isActorStoppedError);
  });

  it('runs one message at a time even when handlers are async', async () => {
    const ref = await system.createActor(Slow, 'slow');
    const first = ref.ask('a', 5);
    const second = ref.ask('b', 1);
    await Promise.all([first, second]);
    const state = await ref.ask('c', 0);
    expect(state).toBe(6);
    const instance = (await ref.ask('d', 0)) as number;
    expect(instance).toBe(8);
  });

  it('rejects an ask with the error its handler threw, sync or async', async () => {
    const ref = await system.createActor(Flaky, 'thrower');
    const error = new Error('bad input');
    await expect(ref.ask('fail', error)).rejects.toBe(error);
    await clock.advance(100);
    await expect(ref.ask('failAsync', error)).rejects.toBe(error);
  });

  it('rejects an ask that gets no answer within timeoutMs with AskTimeoutError', async () => {
    const ref = await system.createActor(Flaky, 'sleeper');
    const answer = ref.ask('hang', undefined, { timeoutMs: 50 });
    const settled = expect(answer).rejects.toSatisfy(isAskTimeoutError);
    await clock.advance(50);
    await settled;
    await expect(answer).rejects.toMatchObject({ code: 'ASK_TIMEOUT', actorId: 'sleeper', timeoutMs: 50 });
  });

  it('rejects a non-positive ask timeout', async () => {
    const ref = await system.createActor(Flaky, 'a');
    expect(() => ref.ask('x', undefined, { timeoutMs: 0 })).toThrow(RangeError);
  });

  it('bounds a handler that never settles with handlerTimeoutMs and treats it as a failure', async () => {
    const bounded = new ActorSystem({ clock, handlerTimeoutMs: 1000, strategy: { restartDelayMs: 0 } });
    const failures: string[] = [];
    bounded.onFailure((failure) => failures.push(failure.errorType));
    const ref = await bounded.createActor(Flaky, 'stuck');
    const answer = ref.ask('hang');
    const rejected = expect(answer).rejects.toSatisfy(isHandlerTimeoutError);
    ref.tell('add', 'after');
    await clock.advance(1000);
    await rejected;
    expect(failures).toEqual(['HandlerTimeoutError']);
    // The message sent during the hang waited and went to the fresh instance.
    await expect(ref.ask('add', 'next')).resolves.toBe(2);
    await expect(ref.ask('state')).resolves.toMatchObject({ seen: ['after', 'next'] });
    await bounded.shutdown();
  });

  it('rejects asks to a stopped actor with ActorStoppedError and reports tells as dead letters', async () => {
    const letters: string[] = [];
    system.onDeadLetter((letter) => letters.push(`${letter.actorId}:${letter.type}`));
    const ref = await system.createActor(Flaky, 'gone');
    await system.stopActor('gone');
    ref.tell('add', 1);
    await expect(ref.ask('add', 2)).rejects.toSatisfy(isActorStoppedError);
    expect(letters).toEqual(['gone:add']);
    expect(system.getActor('gone')).toBeUndefined();
  });

  it('rejects waiting asks at once and the one in flight after the shutdown timeout', async () => {
    const ref = await system.createActor(Flaky, 'busy');
    const hanging = ref.ask('hang');
    const abandoned = expect(hanging).rejects.toSatisfy(isActorStoppedError);
    const waiting = ref.ask('add', 1);
    const stopped = system.stopActor('busy');
    await expect(waiting).rejects.toSatisfy(isActorStoppedError);
    await clock.advance(5000);
    await stopped;
    // The message in flight got the shutdown timeout to finish, then its ask was rejected.
    await abandoned;
    expect(journal).toContain('stop busy');
  });

  it('ends itself normally with this.stop() after the current message', async () => {
    const ref = await system.createActor(Flaky, 'quitter');
    await expect(ref.ask('exit')).resolves.toBe('exiting');
    await clock.advance(0);
    expect(system.rootRef.whichChildren()).toEqual([
      expect.objectContaining({ id: 'quitter', status: 'stopped' }),
    ]);
    expect(journal).toEqual(['start quitter', 'stop quitter']);
  });

  it('keeps actor ids unique in a system', async () => {
    await system.createActor(Flaky, 'one');
    await expect(system.createActor(Flaky, 'one')).rejects.toSatisfy(isActorAlreadyExistsError);
  });

  it('rejects createActor with ActorStartError when preStart throws, and keeps no child', async () => {
    class Broken extends Actor {
      override preStart(): void {
        throw new Error('no config');
      }
      receive(): void {}
    }
    const failure = await system.createActor(Broken, 'broken').catch((error: unknown) => error);
    expect(isActorStartError(failure)).toBe(true);
    expect((failure as Error).cause).toMatchObject({ message: 'no config' });
    expect(system.rootRef.countChildren().specs).toBe(0);
  });

  it('gives every instance its id, a self reference and the system', async () => {
    let seen: { id: string; self: ActorRef; system: ActorSystem } | undefined;
    class Introspective extends Actor {
      receive() {
        seen = { id: this.actorId, self: this.self, system: this.system };
      }
    }
    const ref = await system.createActor(Introspective, 'me');
    await ref.ask('who');
    expect(seen?.id).toBe('me');
    expect(seen?.self).toBe(ref);
    expect(seen?.system).toBe(system);
    expect(system.getActor('me')).toBe(ref);
    expect(ref.path).toBe('/root/me');
  });

  it('throws a helpful error when an actor is used outside a system', () => {
    const loose = new Flaky('loose');
    expect(() => loose.self).toThrow(/createActor/);
  });

  it('returns a SupervisorRef for supervisors, typed as such', async () => {
    const supervisor = await system.createSupervisor('sup');
    expectTypeOf(supervisor).toEqualTypeOf<SupervisorRef>();
    const child = await supervisor.createChild(Flaky, 'child');
    expectTypeOf(child).toEqualTypeOf<ActorRef>();
    expect(system.getActor('child')).toBe(child);
    expect(child.path).toBe('/root/sup/child');
    const nested = await supervisor.createChild(SupervisorActor, 'nested', {
      args: [{ strategy: { maxFailures: 1 } }],
    });
    expectTypeOf(nested).toEqualTypeOf<SupervisorRef>();
    expect(nested.whichChildren()).toEqual([]);
    const root = await system.createActor(RootSupervisor, 'another-root');
    expectTypeOf(root).toEqualTypeOf<SupervisorRef>();
    expectTypeOf(system.createActor(Flaky, 'typed')).toEqualTypeOf<Promise<ActorRef>>();
    // @ts-expect-error: Flaky takes no constructor arguments beyond its id
    void system.createActor(Flaky, 'wrong', 42).catch(() => {});
  });

  it('validates ActorSystem options', () => {
    expect(() => new ActorSystem({ handlerTimeoutMs: -1 })).toThrow(RangeError);
    expect(() => new ActorSystem({ handlerTimeoutMs: -1 })).toThrow('ActorSystemOptions.handlerTimeoutMs');
    expect(() => new ActorSystem({ clok: clock } as never)).toThrow(/did you mean "clock"/);
  });

  it('validates child options', async () => {
    const supervisor = await system.createSupervisor('sup');
    await expect(supervisor.createChild(Flaky, 'c', { restartPolicy: 'sometimes' as never })).rejects.toThrow(
      'ChildOptions.restartPolicy must be one of',
    );
    await expect(supervisor.createChild(Flaky, 'c', { shutdownTimoutMs: 5 } as never)).rejects.toThrow(
      /did you mean "shutdownTimeoutMs"/,
    );
  });

  it('rejects createActor after shutdown', async () => {
    await system.shutdown();
    await expect(system.createActor(Flaky, 'late')).rejects.toMatchObject({ code: 'ACTOR_SYSTEM_SHUTDOWN' });
  });

  it('uses RESTART as the default directive', async () => {
    const directives: string[] = [];
    system.onFailure((failure) => directives.push(failure.directive));
    const ref = await system.createActor(Flaky, 'x');
    ref.tell('fail');
    await clock.advance(100);
    expect(directives).toEqual([SupervisionDirective.RESTART]);
  });
});
