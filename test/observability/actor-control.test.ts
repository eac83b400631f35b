import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Actor,
  ActorSystem,
  inspectActor,
  listActors,
  observeMessages,
  pauseMailbox,
  replaceActorState,
  resumeMailbox,
  type SentMessage,
} from '../../src/supervision/index.js';

class Echo extends Actor<{ seen: number }> {
  override state = { seen: 0 };
  receive(type: string, payload: unknown) {
    this.state.seen++;
    return `${type}:${String(payload)}`;
  }
}

describe('actor control hooks', () => {
  let system: ActorSystem;

  beforeEach(() => {
    system = new ActorSystem();
  });

  afterEach(() => system.shutdown());

  it('lists and inspects live actors', async () => {
    await system.createSupervisor('workers');
    const ref = await system.createActor(Echo, 'echo');
    expect(listActors(system)).toEqual(['root', 'workers', 'echo']);
    expect(inspectActor(system, 'echo')).toEqual({
      actorId: 'echo',
      path: '/root/echo',
      status: 'running',
      paused: false,
      mailboxSize: 0,
      restartCount: 0,
      nodeId: 'local',
      isSupervisor: false,
      parentId: 'root',
    });
    expect(inspectActor(system, 'workers')?.isSupervisor).toBe(true);
    await system.stopActor('echo');
    expect(inspectActor(system, 'echo')).toBeUndefined();
    expect(listActors(system)).not.toContain('echo');
    expect(pauseMailbox(system, 'echo')).toBe(false);
    expect(resumeMailbox(system, 'echo')).toBe(false);
    ref.tell('late');
  });

  it('holds an ask sent to an idle paused actor until it resumes', async () => {
    const ref = await system.createActor(Echo, 'echo');
    expect(pauseMailbox(system, 'echo')).toBe(true);
    let answered = false;
    const answer = ref.ask('ping', 1).then((value) => {
      answered = true;
      return value;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    expect(inspectActor(system, 'echo')?.mailboxSize).toBe(1);
    resumeMailbox(system, 'echo');
    await expect(answer).resolves.toBe('ping:1');
  });

  it('holds a message that was already scheduled when the pause came', async () => {
    const ref = await system.createActor(Echo, 'echo');
    ref.tell('first', 1);
    pauseMailbox(system, 'echo');
    await new Promise((resolve) => setImmediate(resolve));
    expect(inspectActor(system, 'echo')?.mailboxSize).toBe(1);
    resumeMailbox(system, 'echo');
    await expect(ref.ask('read')).resolves.toBe('read:undefined');
    expect(inspectActor(system, 'echo')?.mailboxSize).toBe(0);
  });

  it('rejects waiting asks when a paused actor is stopped', async () => {
    const ref = await system.createActor(Echo, 'echo');
    pauseMailbox(system, 'echo');
    const answer = ref.ask('ping');
    await system.stopActor('echo');
    await expect(answer).rejects.toMatchObject({ code: 'ACTOR_STOPPED' });
  });

  it('replaces the state of a local actor', async () => {
    const ref = await system.createActor(Echo, 'echo');
    await ref.ask('one');
    expect(replaceActorState(system, 'echo', (state) => ({ ...state, seen: 10 }))).toBe(true);
    await ref.ask('two');
    expect(
      replaceActorState(system, 'echo', (state) => {
        expect(state).toEqual({ seen: 11 });
        return state;
      }),
    ).toBe(true);
    expect(replaceActorState(system, 'missing', (state) => state)).toBe(false);
  });

  it('reports every message sent through a reference until disposed', async () => {
    const ref = await system.createActor(Echo, 'echo');
    const sent: SentMessage[] = [];
    const subscription = observeMessages(system, (message) => sent.push(message));
    ref.tell('a', 1);
    await ref.ask('b', 2);
    subscription.dispose();
    ref.tell('c', 3);
    expect(sent).toEqual([
      { actorId: 'echo', type: 'a', payload: 1 },
      { actorId: 'echo', type: 'b', payload: 2 },
    ]);
  });

  it('rejects what is not an actor system', () => {
    expect(() => listActors({})).toThrow(TypeError);
  });
});
