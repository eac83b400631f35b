import { describe, expect, it } from 'vitest';
import { getResilienceMetadata } from '../../src/core/index.js';
import {
  Actor,
  ActorSystem,
  AllForOneStrategy,
  isMaxRestartsExceededError,
  RestartPolicy,
  SupervisionDirective,
  SupervisionStrategy,
  supervised,
} from '../../src/supervision/index.js';
import { VirtualClock } from '../../src/testing/index.js';

const strategy = new SupervisionStrategy({
  maxFailures: 1,
  restartDelayMs: 5,
  restartPolicy: RestartPolicy.ALWAYS,
});

@supervised(strategy)
class Decorated extends Actor<{ count: number }> {
  override state = { count: 0 };
  receive(type: string) {
    if (type === 'fail') throw new Error('failed');
    return ++this.state.count;
  }
}

@supervised({ decide: () => SupervisionDirective.RESUME })
class Resumable extends Actor<{ count: number }> {
  override state = { count: 0 };
  receive(type: string) {
    if (type === 'fail') throw new Error('failed');
    return ++this.state.count;
  }
}

class Plain extends Actor<{ count: number }> {
  override state = { count: 0 };
  receive(type: string) {
    if (type === 'fail') throw new Error('failed');
    return ++this.state.count;
  }
}

describe('@supervised', () => {
  it('records its strategy as class metadata, in both decorator modes', () => {
    expect(getResilienceMetadata(Decorated).class).toEqual([{ policy: 'supervised', options: strategy }]);
    expect(getResilienceMetadata(new Decorated('x')).class[0]?.policy).toBe('supervised');
  });

  it('applies the class restart policy and backoff wherever the actor is created', async () => {
    const clock = new VirtualClock();
    const system = new ActorSystem({ clock, strategy: { maxFailures: 0 } });
    const ref = await system.createActor(Decorated, 'd');
    await ref.ask('inc');
    ref.tell('fail');
    await clock.advance(4);
    expect(system.rootRef.whichChildren()[0]!.status).toBe('restarting');
    await clock.advance(1);
    await expect(ref.ask('inc')).resolves.toBe(1);
    // ALWAYS never escalates, even under a root that allows no failures.
    ref.tell('fail');
    ref.tell('fail');
    await clock.advance(100);
    expect(system.rootRef.getSupervisionStats().escalations).toBe(0);
    await system.shutdown();
  });

  it('uses the class decide, which the supervisor would not have chosen', async () => {
    const clock = new VirtualClock();
    const system = new ActorSystem({ clock });
    const ref = await system.createActor(Resumable, 'r');
    await ref.ask('inc');
    ref.tell('fail');
    await expect(ref.ask('inc')).resolves.toBe(2);
    await system.shutdown();
  });

  it('behaves like the same strategy given to a supervisor', async () => {
    const clock = new VirtualClock();
    const system = new ActorSystem({ clock });
    const supervisor = await system.createSupervisor('s', { decide: () => SupervisionDirective.RESUME });
    const plain = await supervisor.createChild(Plain, 'p');
    const decorated = await system.createActor(Resumable, 'r');
    for (const ref of [plain, decorated]) {
      await ref.ask('inc');
      ref.tell('fail');
      await expect(ref.ask('inc')).resolves.toBe(2);
    }
    await system.shutdown();
  });

  it('counts the budget per instance of a decorated class and escalates past it', async () => {
    const clock = new VirtualClock();
    const system = new ActorSystem({ clock });
    const errors: unknown[] = [];
    system.onFailure((failure) => errors.push(failure.error));
    @supervised(new AllForOneStrategy({ maxFailures: 0, restartDelayMs: 0 }))
    class Fragile extends Plain {}
    const supervisor = await system.createSupervisor('s', { strategy: { maxFailures: 100 } });
    const ref = await supervisor.createChild(Fragile, 'f');
    ref.tell('fail');
    await clock.advance(0);
    expect(errors.some(isMaxRestartsExceededError)).toBe(true);
    await system.shutdown();
  });

  it('rejects what is not a class or a strategy', () => {
    expect(() => supervised(undefined as never)).toThrow(TypeError);
    expect(() => supervised({ placement: 'nearest' as never })).toThrow('SupervisedOptions.placement');
    const decorator = supervised(strategy) as (...args: unknown[]) => unknown;
    expect(() => decorator({}, { kind: 'method', name: 'x' })).toThrow('@supervised applies to classes only');
  });
});
