import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Actor,
  ActorSystem,
  type FailureEvent,
  type FailureInfo,
  isActorNotFoundError,
  matchStrategy,
  RestartPolicy,
  SupervisionDirective,
  SupervisorActor,
} from '../../src/supervision/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { DatabaseError, Flaky, journal, resetFixtures, ValidationError } from './fixtures/flaky.js';

const quick = { restartDelayMs: 0, maxFailures: 10 };

describe('supervision directives', () => {
  let clock: VirtualClock;
  let system: ActorSystem;
  let failures: FailureEvent[];

  beforeEach(() => {
    resetFixtures();
    clock = new VirtualClock(1_000);
    system = new ActorSystem({ clock });
    failures = [];
    system.onFailure((failure) => failures.push(failure));
  });

  afterEach(async () => {
    await system.shutdown();
  });

  const supervisorDeciding = (directive: SupervisionDirective) =>
    system.createSupervisor('s', { strategy: quick, decide: () => directive });

  it('RESUME keeps the instance and its state, dropping the failing message', async () => {
    const supervisor = await supervisorDeciding(SupervisionDirective.RESUME);
    const child = await supervisor.createChild(Flaky, 'c');
    child.tell('add', 1);
    child.tell('fail');
    child.tell('add', 2);
    await clock.advance(0);
    await expect(child.ask('state')).resolves.toMatchObject({ count: 2, seen: ['1', '2'] });
    expect(journal).toEqual(['start c']);
  });

  it('RESTART builds a fresh instance with fresh state', async () => {
    const supervisor = await supervisorDeciding(SupervisionDirective.RESTART);
    const child = await supervisor.createChild(Flaky, 'c');
    child.tell('add', 1);
    child.tell('fail');
    child.tell('add', 2);
    await clock.advance(0);
    await expect(child.ask('state')).resolves.toMatchObject({ count: 1, seen: ['2'] });
  });

  it('STOP stops the child for good and removes it', async () => {
    const supervisor = await supervisorDeciding(SupervisionDirective.STOP);
    const child = await supervisor.createChild(Flaky, 'c');
    child.tell('fail');
    await clock.advance(0);
    expect(journal).toEqual(['start c', 'stop c']);
    expect(supervisor.whichChildren()).toEqual([]);
    await expect(child.ask('state')).rejects.toMatchObject({ code: 'ACTOR_STOPPED' });
  });

  it('ESCALATE fails the supervisor with the child error, for its parent to handle', async () => {
    const seen: FailureInfo[] = [];
    const top = await system.createSupervisor('top', {
      strategy: quick,
      decide: (failure) => {
        seen.push(failure);
        return SupervisionDirective.RESTART;
      },
    });
    const middle = await top.createChild(SupervisorActor, 'middle', {
      args: [{ strategy: quick, decide: () => SupervisionDirective.ESCALATE }],
    });
    const worker = await middle.createChild(Flaky, 'worker');
    const error = new Error('disk full');
    worker.tell('fail', error);
    await clock.advance(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ actorId: 'middle', actorPath: '/root/top/middle', error });
    // The restarted supervisor starts empty: the escalating child stopped with its old incarnation.
    expect(middle.whichChildren()).toEqual([]);
    expect(journal).toEqual(['start worker', 'stop worker']);
    expect(middle.getSupervisionStats().escalations).toBe(0);
  });

  it('resumes the escalating child when the parent resumes its supervisor', async () => {
    const top = await system.createSupervisor('top', {
      strategy: quick,
      decide: () => SupervisionDirective.RESUME,
    });
    const middle = await top.createChild(SupervisorActor, 'middle', {
      args: [{ strategy: quick, decide: () => SupervisionDirective.ESCALATE }],
    });
    const worker = await middle.createChild(Flaky, 'worker');
    worker.tell('add', 1);
    worker.tell('fail');
    await clock.advance(0);
    await expect(worker.ask('state')).resolves.toMatchObject({ count: 1 });
  });

  it('describes each failure with FailureInfo and records it in the history with its directive', async () => {
    const supervisor = await system.createSupervisor('s', { strategy: quick });
    const child = await supervisor.createChild(Flaky, 'c');
    await clock.advance(234);
    child.tell('fail', new ValidationError('bad'));
    await clock.advance(0);
    child.tell('fail', 'plain string');
    await clock.advance(0);
    const history = supervisor.getFailureHistory();
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({
      actorPath: '/root/s/c',
      actorId: 'c',
      nodeId: 'local',
      time: 1_234,
      errorType: 'ValidationError',
      restartCount: 0,
      directive: 'restart',
    });
    expect(history[0]!.failureId).toMatch(/^[0-9a-f-]{36}$/);
    expect(history[1]).toMatchObject({ errorType: 'string', error: 'plain string', restartCount: 1 });
    expect(history[0]!.failureId).not.toBe(history[1]!.failureId);
    expect(failures.map((failure) => failure.supervisorId)).toEqual(['s', 's']);
  });

  it('keeps the last 100 failures in the history', async () => {
    const supervisor = await system.createSupervisor('s', {
      strategy: quick,
      decide: () => SupervisionDirective.RESUME,
    });
    const child = await supervisor.createChild(Flaky, 'c');
    for (let index = 0; index < 105; index++) child.tell('fail', new Error(`#${index}`));
    await clock.advance(0);
    const history = supervisor.getFailureHistory();
    expect(history).toHaveLength(100);
    expect((history[0]!.error as Error).message).toBe('#5');
    expect(supervisor.getSupervisionStats().totalFailures).toBe(105);
  });

  it('rejects a decide that returns something other than a directive by failing the supervisor', async () => {
    const unhandled: unknown[] = [];
    system.onUnhandledFailure((error) => unhandled.push(error));
    const supervisor = await system.createSupervisor('s', {
      strategy: quick,
      decide: () => 'retry' as never,
    });
    const child = await supervisor.createChild(Flaky, 'c');
    child.tell('fail');
    await clock.advance(0);
    expect(failures.find((failure) => failure.actorId === 's')?.error).toBeInstanceOf(TypeError);
  });
});

describe('matchStrategy', () => {
  const failureOf = (error: unknown): FailureInfo => ({
    actorPath: '/root/x',
    actorId: 'x',
    nodeId: 'local',
    time: 0,
    error,
    errorType: error instanceof Error ? error.name : typeof error,
    restartCount: 0,
    failureId: 'id',
  });

  const decide = matchStrategy({
    default: SupervisionDirective.RESTART,
    matchers: [
      { errorType: ValidationError, directive: SupervisionDirective.RESUME },
      { errorType: 'DatabaseError', directive: SupervisionDirective.STOP },
      { errorType: 'TypeError', directive: SupervisionDirective.ESCALATE },
      { errorType: Error, directive: () => SupervisionDirective.RELOCATE },
    ],
  });

  it('picks by error class, first match wins', () => {
    expect(decide(failureOf(new ValidationError('x')))).toBe('resume');
  });

  it('picks by error name, and by class name when the class never set a name', () => {
    expect(decide(failureOf(new TypeError('x')))).toBe('escalate');
    expect(decide(failureOf(new DatabaseError('x')))).toBe('stop');
  });

  it('accepts a decide function as a matcher directive and falls back to the default', () => {
    expect(decide(failureOf(new RangeError('x')))).toBe('relocate');
    expect(decide(failureOf('not an error'))).toBe('restart');
    expect(matchStrategy({ matchers: [] })(failureOf('x'))).toBe('restart');
  });

  it('validates its options', () => {
    expect(() => matchStrategy({ matchers: [{ errorType: '', directive: 'stop' }] })).toThrow(TypeError);
    expect(() => matchStrategy({ matchers: [{ errorType: 'X', directive: 'explode' as never }] })).toThrow(
      'MatchStrategyOptions.matchers',
    );
    expect(() => matchStrategy({} as never)).toThrow('MatchStrategyOptions.matchers');
  });
});

describe('restart policies and administrative stops', () => {
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

  it('ON_STOP restarts after a normal stop, keeping waiting messages', async () => {
    const supervisor = await system.createSupervisor('s', { strategy: quick });
    const child = await supervisor.createChild(Flaky, 'c', { restartPolicy: RestartPolicy.ON_STOP });
    child.tell('exit');
    child.tell('add', 'later');
    await clock.advance(0);
    expect(journal).toEqual(['start c', 'stop c', 'start c']);
    await expect(child.ask('state')).resolves.toMatchObject({ seen: ['later'] });
  });

  it('ON_FAILURE and ALWAYS do not restart after a normal stop, but keep the spec for restartChild', async () => {
    const supervisor = await system.createSupervisor('s', { strategy: quick });
    const onFailure = await supervisor.createChild(Flaky, 'f', { restartPolicy: RestartPolicy.ON_FAILURE });
    const always = await supervisor.createChild(Flaky, 'a', { restartPolicy: RestartPolicy.ALWAYS });
    onFailure.tell('exit');
    always.tell('exit');
    await clock.advance(0);
    expect(supervisor.whichChildren().map((child) => child.status)).toEqual(['stopped', 'stopped']);
    expect(supervisor.countChildren()).toEqual({ specs: 2, active: 0, supervisors: 0, workers: 2 });
    await supervisor.restartChild('f');
    await expect(onFailure.ask('add', 1)).resolves.toBe(1);
  });

  it('NEVER removes the child when it exits', async () => {
    const supervisor = await system.createSupervisor('s', { strategy: quick });
    const child = await supervisor.createChild(Flaky, 'n', { restartPolicy: RestartPolicy.NEVER });
    child.tell('exit');
    await clock.advance(0);
    expect(supervisor.countChildren().specs).toBe(0);
  });

  it('stopChild is never restarted; restartChild starts a fresh instance or restarts a running one', async () => {
    const supervisor = await system.createSupervisor('s', { strategy: quick });
    const child = await supervisor.createChild(Flaky, 'c', { restartPolicy: RestartPolicy.ON_STOP });
    child.tell('add', 1);
    await expect(supervisor.stopChild('c')).resolves.toBe(true);
    await clock.advance(1000);
    expect(supervisor.whichChildren()[0]!.status).toBe('stopped');
    await expect(supervisor.restartChild('c')).resolves.toBe(child);
    await expect(child.ask('state')).resolves.toMatchObject({ count: 0 });
    child.tell('add', 1);
    await supervisor.restartChild('c');
    await expect(child.ask('state')).resolves.toMatchObject({ count: 0 });
    expect(journal).toEqual(['start c', 'stop c', 'start c', 'stop c', 'start c']);
    await expect(supervisor.stopChild('missing')).resolves.toBe(false);
    await expect(supervisor.restartChild('missing')).rejects.toSatisfy(isActorNotFoundError);
  });

  it('a rejected request does not fail the supervisor', async () => {
    const supervisor = await system.createSupervisor('s', { strategy: quick });
    await expect(supervisor.restartChild('missing')).rejects.toSatisfy(isActorNotFoundError);
    await expect(supervisor.createChild(Flaky, 'ok')).resolves.toBeDefined();
    expect(system.rootRef.getFailureHistory()).toEqual([]);
  });

  it('takes over an existing actor with supervise_child', async () => {
    const supervisor = await system.createSupervisor('s', { strategy: quick });
    const loner = await system.createActor(Flaky, 'loner');
    await supervisor.ask('supervise_child', { actorId: 'loner' });
    expect(system.rootRef.whichChildren().map((child) => child.id)).toEqual(['s']);
    expect(supervisor.whichChildren().map((child) => child.id)).toEqual(['loner']);
    expect(loner.path).toBe('/root/s/loner');
    loner.tell('fail');
    await clock.advance(0);
    expect(supervisor.getFailureHistory()).toHaveLength(1);
    await expect(supervisor.ask('supervise_child', { actorId: 's' })).rejects.toThrow(TypeError);
  });

  it('runs preStart for every incarnation and postStop only on a real stop', async () => {
    const supervisor = await system.createSupervisor('s', { strategy: quick });
    const child = await supervisor.createChild(Flaky, 'c');
    child.tell('fail');
    await clock.advance(0);
    await supervisor.stopChild('c');
    expect(journal).toEqual(['start c', 'beforeRestart c (c)', 'start c', 'afterRestart c (c)', 'stop c']);
  });

  it('lets a supervisor subclass create its fixed children in preStart, again after a restart', async () => {
    class Team extends SupervisorActor {
      constructor(id: string) {
        super(id, { strategy: quick });
      }
      override async preStart() {
        await this.createChild(Flaky, 'member');
      }
    }
    const top = await system.createSupervisor('top', { strategy: quick });
    const team = await top.createChild(Team, 'team');
    expect(team.whichChildren().map((child) => child.id)).toEqual(['member']);
    await top.restartChild('team');
    expect(team.whichChildren().map((child) => child.id)).toEqual(['member']);
    expect(journal).toEqual(['start member', 'stop member', 'start member']);
  });

  it('answers a message it does not know with undefined', async () => {
    class Quiet extends Actor {
      receive() {
        return 'ok';
      }
    }
    const supervisor = await system.createSupervisor('s');
    await expect(supervisor.ask('whatever')).resolves.toBeUndefined();
    await expect((await system.createActor(Quiet, 'q')).ask('x')).resolves.toBe('ok');
  });
});
