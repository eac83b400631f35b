import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Actor, ActorSystem, RestartPolicy, SupervisorActor } from '../../src/supervision/index.js';
import { VirtualClock } from '../../src/testing/index.js';

class Idle extends Actor {
  receive(type: string): unknown {
    if (type === 'fail') throw new Error('failed');
    if (type === 'exit') this.stop();
    return type;
  }
}

describe('whichChildren and countChildren', () => {
  it('are exact with 10,000 children, while starting and stopping them', async () => {
    const system = new ActorSystem({ clock: new VirtualClock() });
    const supervisor = await system.createSupervisor('many');
    const creations = [];
    for (let index = 0; index < 10_000; index++) creations.push(supervisor.createChild(Idle, `w${index}`));
    await Promise.all(creations);
    expect(supervisor.countChildren()).toEqual({
      specs: 10_000,
      active: 10_000,
      supervisors: 0,
      workers: 10_000,
    });
    const ids = supervisor.whichChildren().map((child) => child.id);
    expect(ids).toHaveLength(10_000);
    expect(ids[0]).toBe('w0');
    expect(ids[9_999]).toBe('w9999');
    await supervisor.stopChild('w5000');
    expect(supervisor.countChildren()).toEqual({
      specs: 10_000,
      active: 9_999,
      supervisors: 0,
      workers: 10_000,
    });
    await supervisor.createChild(SupervisorActor, 'nested');
    expect(supervisor.countChildren()).toEqual({
      specs: 10_001,
      active: 10_000,
      supervisors: 1,
      workers: 10_000,
    });
    await supervisor.stopAllChildren();
    expect(supervisor.countChildren()).toEqual({ specs: 0, active: 0, supervisors: 0, workers: 0 });
    expect(system.getActor('w1')).toBeUndefined();
    await system.shutdown();
  });

  it('match a simple model through any sequence of creates, failures, exits and stops', async () => {
    type Command =
      | { kind: 'create'; policy: RestartPolicy }
      | { kind: 'fail' | 'exit' | 'stop' | 'restart'; index: number };
    const policies = Object.values(RestartPolicy);
    const command = fc.oneof(
      fc.record({ kind: fc.constant('create' as const), policy: fc.constantFrom(...policies) }),
      fc.record({
        kind: fc.constantFrom('fail' as const, 'exit' as const, 'stop' as const, 'restart' as const),
        index: fc.nat(20),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 30 }), async (commands: Command[]) => {
        const clock = new VirtualClock();
        const system = new ActorSystem({ clock });
        const supervisor = await system.createSupervisor('s', {
          strategy: { maxFailures: 1_000, restartDelayMs: 0 },
        });
        // The model: id -> [restart policy, running?]
        const model = new Map<string, [RestartPolicy, boolean]>();
        let next = 0;
        for (const step of commands) {
          if (step.kind === 'create') {
            const id = `c${next++}`;
            await supervisor.createChild(Idle, id, { restartPolicy: step.policy });
            model.set(id, [step.policy, true]);
            continue;
          }
          const ids = [...model.keys()];
          if (ids.length === 0) continue;
          const id = ids[step.index % ids.length]!;
          const [policy, running] = model.get(id)!;
          if (step.kind === 'stop') {
            await supervisor.stopChild(id);
            if (policy === RestartPolicy.NEVER) model.delete(id);
            else model.set(id, [policy, false]);
          } else if (step.kind === 'restart') {
            await supervisor.restartChild(id);
            model.set(id, [policy, true]);
          } else if (running) {
            system.getActor(id)!.tell(step.kind);
            await clock.advance(0);
            if (policy === RestartPolicy.NEVER) model.delete(id);
            else if (step.kind === 'exit' && policy !== RestartPolicy.ON_STOP) model.set(id, [policy, false]);
          }
          const children = supervisor.whichChildren();
          expect(children.map((child) => child.id)).toEqual([...model.keys()]);
          expect(children.map((child) => child.status === 'running')).toEqual(
            [...model.values()].map(([, isRunning]) => isRunning),
          );
          const active = [...model.values()].filter(([, isRunning]) => isRunning).length;
          expect(supervisor.countChildren()).toEqual({
            specs: model.size,
            active,
            supervisors: 0,
            workers: model.size,
          });
        }
        await system.shutdown();
      }),
      { numRuns: 40 },
    );
  });
});
