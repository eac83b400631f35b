import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  isSteeringPolicyNotFoundError,
  ObservabilityCollector,
  type SteeringActionEvent,
  SteeringController,
  SteeringPolicyNotFoundError,
} from '../../src/observability/index.js';
import { Actor, ActorSystem } from '../../src/supervision/index.js';

class Recorder extends Actor<{ seen: string[]; limit: number }> {
  override state = { seen: [] as string[], limit: 1 };
  receive(type: string, payload: unknown) {
    if (type === 'read') return this.state;
    this.state.seen.push(`${type}:${String(payload)}`);
    return this.state.seen.length;
  }
}

describe('SteeringController', () => {
  let system: ActorSystem;
  let steering: SteeringController;

  beforeEach(() => {
    system = new ActorSystem();
    steering = new SteeringController(system);
  });

  afterEach(() => system.shutdown());

  it('holds messages while an actor is paused and delivers them in order on resume', async () => {
    const ref = await system.createActor(Recorder, 'recorder');
    ref.tell('a', 1);
    await ref.ask('read');
    expect(steering.pauseActor('recorder')).toBe(true);
    ref.tell('b', 2);
    const answer = ref.ask('c', 3);
    ref.tell('d', 4);
    await new Promise((resolve) => setImmediate(resolve));
    expect(steering.inspectActor('recorder')).toMatchObject({ paused: true, mailboxSize: 3 });
    const early = await ref
      .ask<{ seen: string[] }>('read', undefined, { timeoutMs: 20 })
      .catch(() => 'waiting');
    expect(early).toBe('waiting');
    expect(steering.resumeActor('recorder')).toBe(true);
    await expect(answer).resolves.toBe(3);
    const state = await ref.ask<{ seen: string[] }>('read');
    expect(state.seen).toEqual(['a:1', 'b:2', 'c:3', 'd:4']);
    expect(steering.inspectActor('recorder')?.paused).toBe(false);
  });

  it('refuses to pause unknown actors and supervisors', async () => {
    await system.createSupervisor('workers');
    expect(steering.pauseActor('missing')).toBe(false);
    expect(steering.resumeActor('missing')).toBe(false);
    expect(steering.pauseActor('workers')).toBe(false);
    expect(steering.pauseActor('root')).toBe(false);
  });

  it('injects a message on behalf of a source', async () => {
    const ref = await system.createActor(Recorder, 'recorder');
    expect(steering.injectMessage('debugger', 'recorder', 'health_check', 'deep')).toBe(true);
    expect(steering.injectMessage('debugger', 'missing', 'health_check')).toBe(false);
    const state = await ref.ask<{ seen: string[] }>('read');
    expect(state.seen).toEqual(['health_check:deep']);
  });

  it('merges state updates into a running actor', async () => {
    const ref = await system.createActor(Recorder, 'recorder');
    ref.tell('a', 1);
    expect(steering.modifyActorState('recorder', { limit: 50 })).toBe(true);
    await expect(ref.ask('read')).resolves.toEqual({ seen: ['a:1'], limit: 50 });
    expect(steering.modifyActorState('missing', { limit: 1 })).toBe(false);
    expect(() => steering.modifyActorState('recorder', null as never)).toThrow(TypeError);
  });

  it('keeps a pause across a restart of the actor', async () => {
    class Fragile extends Actor {
      receive(type: string) {
        if (type === 'crash') throw new Error('crash');
        return type;
      }
    }
    const ref = await system.createActor(Fragile, 'fragile');
    await ref.ask('crash').catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 5));
    steering.pauseActor('fragile');
    const answer = ref.ask('after');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(steering.inspectActor('fragile')?.mailboxSize).toBe(1);
    steering.resumeActor('fragile');
    await expect(answer).resolves.toBe('after');
  });

  it('runs named policies with the controller and their arguments', async () => {
    await system.createActor(Recorder, 'recorder');
    const registration = steering.registerSteeringPolicy('quiesce', (controller, ...ids: string[]) =>
      ids.map((id) => controller.pauseActor(id)),
    );
    expect(steering.hasSteeringPolicy('quiesce')).toBe(true);
    await expect(steering.applySteeringPolicy('quiesce', 'recorder', 'missing')).resolves.toEqual([
      true,
      false,
    ]);
    registration.dispose();
    const missing = steering.applySteeringPolicy('quiesce');
    await expect(missing).rejects.toBeInstanceOf(SteeringPolicyNotFoundError);
    await expect(missing).rejects.toMatchObject({ code: 'STEERING_POLICY_NOT_FOUND', policyName: 'quiesce' });
    expect(isSteeringPolicyNotFoundError(await missing.catch((error: unknown) => error))).toBe(true);
    expect(() => steering.registerSteeringPolicy('', () => 1)).toThrow(TypeError);
    expect(() => steering.registerSteeringPolicy('x', 1 as never)).toThrow(TypeError);
  });

  it('reports every action and records it in a collector', async () => {
    const collector = new ObservabilityCollector();
    const observed = new SteeringController(system, { collector });
    const actions: SteeringActionEvent[] = [];
    observed.onAction((event) => actions.push(event));
    await system.createActor(Recorder, 'recorder');
    observed.pauseActor('recorder');
    observed.resumeActor('missing');
    expect(actions).toEqual([
      { action: 'pause', target: 'recorder', succeeded: true },
      { action: 'resume', target: 'missing', succeeded: false },
    ]);
    expect(collector.getSystemEvents().map((event) => [event.eventType, event.data])).toEqual([
      ['steering_action', { action: 'pause', target: 'recorder', succeeded: true }],
      ['steering_action', { action: 'resume', target: 'missing', succeeded: false }],
    ]);
  });

  it('types its methods as boolean outcomes and policies as functions of the controller', () => {
    expectTypeOf(steering.pauseActor).returns.toEqualTypeOf<boolean>();
    expectTypeOf(steering.injectMessage).parameters.toEqualTypeOf<[string, string, string, unknown?]>();
    expectTypeOf(steering.applySteeringPolicy).returns.toEqualTypeOf<Promise<unknown>>();
    expectTypeOf<Parameters<typeof steering.registerSteeringPolicy>[1]>()
      .parameter(0)
      .toEqualTypeOf<SteeringController>();
  });

  it('validates its arguments', () => {
    expect(() => new SteeringController({} as never)).toThrow(TypeError);
    expect(() => new SteeringController(system, { collector: 1 } as never)).toThrow(
      /SteeringControllerOptions\.collector/,
    );
    expect(() => new SteeringController(system, { colector: {} } as never)).toThrow(/collector/);
  });
});
