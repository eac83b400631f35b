import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ActorSystem,
  AllForOneStrategy,
  type FailureEvent,
  isMaxRestartsExceededError,
  MaxRestartsExceededError,
  matchStrategy,
  RestartPolicy,
  SupervisionDirective,
  SupervisionStrategy,
  SupervisorActor,
} from '../../src/supervision/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { Flaky, journal, resetFixtures, startFailures } from './fixtures/flaky.js';

describe('restart budget and backoff', () => {
  let clock: VirtualClock;
  let system: ActorSystem;
  let failures: FailureEvent[];

  beforeEach(() => {
    resetFixtures();
    clock = new VirtualClock();
    system = new ActorSystem({ clock });
    failures = [];
    system.onFailure((failure) => failures.push(failure));
  });

  afterEach(async () => {
    await system.shutdown();
  });

  const escalations = () => failures.filter((failure) => failure.supervisorId === 'root');

  it('escalates with MaxRestartsExceededError after more than maxFailures inside the window', async () => {
    const supervisor = await system.createSupervisor('s', {
      strategy: { maxFailures: 2, withinTimeWindowMs: 1000, restartDelayMs: 0 },
    });
    const [a, b] = [await supervisor.createChild(Flaky, 'a'), await supervisor.createChild(Flaky, 'b')];
    journal.length = 0;
    a.tell('fail');
    await clock.advance(500);
    b.tell('fail');
    await clock.advance(500);
    expect(escalations()).toEqual([]);
    const last = new Error('third strike');
    a.tell('fail', last);
    await clock.advance(0);
    const [escalation] = escalations();
    expect(escalation?.actorId).toBe('s');
    expect(isMaxRestartsExceededError(escalation?.error)).toBe(true);
    const error = escalation?.error as MaxRestartsExceededError;
    expect(error).toBeInstanceOf(MaxRestartsExceededError);
    expect(error).toMatchObject({ code: 'MAX_RESTARTS_EXCEEDED', supervisorId: 's', failures: 3 });
    expect(error.cause).toBe(last);
    // The children stopped in reverse start order before the supervisor failed upwards.
    expect(journal.slice(-2)).toEqual(['stop b', 'stop a']);
  });

  it('slides the window: a failure just outside it no longer counts', async () => {
    const supervisor = await system.createSupervisor('s', {
      strategy: { maxFailures: 1, withinTimeWindowMs: 1000, restartDelayMs: 0 },
    });
    const a = await supervisor.createChild(Flaky, 'a');
    a.tell('fail');
    await clock.advance(1001);
    a.tell('fail');
    await clock.advance(1001);
    a.tell('fail');
    await clock.advance(0);
    expect(escalations()).toEqual([]);
    expect(supervisor.getSupervisionStats()).toMatchObject({ totalFailures: 3, failuresInWindow: 1 });
  });

  it('counts a failure exactly withinTimeWindowMs after an earlier one, as OTP does', async () => {
    const supervisor = await system.createSupervisor('s', {
      strategy: { maxFailures: 1, withinTimeWindowMs: 1000, restartDelayMs: 0 },
    });
    const a = await supervisor.createChild(Flaky, 'a');
    a.tell('fail');
    await clock.advance(1000);
    a.tell('fail');
    await clock.advance(0);
    expect(escalations()).toHaveLength(1);
  });

  it('counts one failure once even when all-for-one restarts every sibling', async () => {
    const supervisor = await system.createSupervisor('s', {
      strategy: new AllForOneStrategy({ maxFailures: 1, restartDelayMs: 0 }),
    });
    const a = await supervisor.createChild(Flaky, 'a');
    await supervisor.createChild(Flaky, 'b');
    await supervisor.createChild(Flaky, 'c');
    a.tell('fail');
    await clock.advance(0);
    expect(supervisor.getSupervisionStats()).toMatchObject({ failuresInWindow: 1, totalRestarts: 3 });
    expect(escalations()).toEqual([]);
    a.tell('fail');
    await clock.advance(0);
    expect(escalations()).toHaveLength(1);
  });

  it('counts a restart attempt that fails again, and retries it', async () => {
    const supervisor = await system.createSupervisor('s', {
      strategy: { maxFailures: 2, restartDelayMs: 0 },
    });
    const a = await supervisor.createChild(Flaky, 'a');
    startFailures.set('a', 1);
    a.tell('fail');
    await clock.advance(0);
    expect(supervisor.getSupervisionStats()).toMatchObject({ failuresInWindow: 2, totalRestarts: 1 });
    await expect(a.ask('add', 1)).resolves.toBe(1);
    expect(supervisor.getFailureHistory().map((failure) => failure.error)).toMatchObject([
      { message: 'a failed' },
      { message: 'a cannot start' },
    ]);
  });

  it('escalates when restart attempts keep failing past the budget', async () => {
    const supervisor = await system.createSupervisor('s', {
      strategy: { maxFailures: 2, restartDelayMs: 0 },
    });
    const a = await supervisor.createChild(Flaky, 'a');
    startFailures.set('a', 5);
    a.tell('fail');
    await clock.advance(0);
    expect(escalations()).toHaveLength(1);
    expect((escalations()[0]!.error as Error).cause).toMatchObject({ message: 'a cannot start' });
  });

  it('never escalates for an ALWAYS child, though backoff still applies', async () => {
    const supervisor = await system.createSupervisor('s', {
      strategy: { maxFailures: 0, restartDelayMs: 10, backoffMultiplier: 2 },
    });
    const a = await supervisor.createChild(Flaky, 'a', { restartPolicy: RestartPolicy.ALWAYS });
    a.tell('fail');
    await clock.advance(10);
    a.tell('fail');
    await clock.advance(19);
    expect(supervisor.whichChildren()[0]!.status).toBe('restarting');
    await clock.advance(1);
    expect(supervisor.whichChildren()[0]!.status).toBe('running');
    expect(escalations()).toEqual([]);
  });

  it('waits calculateRestartDelay on the clock before each restart', async () => {
    const supervisor = await system.createSupervisor('s', {
      strategy: { maxFailures: 10, restartDelayMs: 100, backoffMultiplier: 2, maxRestartDelayMs: 300 },
    });
    const a = await supervisor.createChild(Flaky, 'a');
    const waits: number[] = [];
    for (let round = 0; round < 4; round++) {
      a.tell('fail');
      await clock.advance(0);
      let waited = 0;
      while (supervisor.whichChildren()[0]!.status !== 'running') {
        await clock.advance(50);
        waited += 50;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([100, 200, 300, 300]);
  });

  it('delivers messages sent during a restart and backoff in order afterwards, dropping the failed one', async () => {
    const supervisor = await system.createSupervisor('s');
    const a = await supervisor.createChild(Flaky, 'a');
    a.tell('add', 'before');
    a.tell('fail');
    a.tell('add', 'during-1');
    const answer = a.ask('add', 'during-2');
    a.tell('add', 'during-3');
    await clock.advance(50);
    expect(supervisor.whichChildren()[0]!.status).toBe('restarting');
    await clock.advance(50);
    await expect(answer).resolves.toBe(2);
    await expect(a.ask('state')).resolves.toMatchObject({ seen: ['during-1', 'during-2', 'during-3'] });
  });

  it('lets a parent decide what to do with a supervisor that gave up', async () => {
    const decided: string[] = [];
    const top = await system.createSupervisor('top', {
      decide: matchStrategy({
        matchers: [{ errorType: MaxRestartsExceededError, directive: SupervisionDirective.STOP }],
      }),
    });
    const middle = await top.createChild(SupervisorActor, 'middle', {
      args: [{ strategy: { maxFailures: 0, restartDelayMs: 0 } }],
    });
    system.onFailure((failure) =>
      decided.push(`${failure.supervisorId}:${failure.actorId}:${failure.directive}`),
    );
    const worker = await middle.createChild(Flaky, 'worker');
    worker.tell('fail');
    await clock.advance(0);
    expect(decided).toEqual(['middle:worker:restart', 'top:middle:stop']);
    expect(top.countChildren().specs).toBe(0);
    expect(system.getActor('worker')).toBeUndefined();
  });

  it('computes min(maxRestartDelayMs, restartDelayMs * backoffMultiplier^(failureCount-1))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 40 }),
        (restartDelayMs, backoffMultiplier, maxRestartDelayMs, failureCount) => {
          const strategy = new SupervisionStrategy({ restartDelayMs, backoffMultiplier, maxRestartDelayMs });
          const delay = strategy.calculateRestartDelay(failureCount);
          expect(delay).toBe(
            Math.min(maxRestartDelayMs, restartDelayMs * backoffMultiplier ** (failureCount - 1)),
          );
          expect(delay).toBeLessThanOrEqual(maxRestartDelayMs);
          expect(strategy.calculateRestartDelay(failureCount + 1)).toBeGreaterThanOrEqual(delay);
        },
      ),
    );
    expect(new SupervisionStrategy().calculateRestartDelay(1)).toBe(100);
    expect(new SupervisionStrategy().calculateRestartDelay(3)).toBe(400);
  });

  it('validates SupervisionStrategy options', () => {
    expect(() => new SupervisionStrategy({ maxFailures: -1 })).toThrow(RangeError);
    expect(() => new SupervisionStrategy({ maxFailures: 1.5 })).toThrow(
      'SupervisionStrategyOptions.maxFailures',
    );
    expect(() => new SupervisionStrategy({ withinTimeWindowMs: 0 })).toThrow(RangeError);
    expect(() => new SupervisionStrategy({ backoffMultiplier: 0.5 })).toThrow(RangeError);
    expect(() => new SupervisionStrategy({ restartPolicy: 'maybe' as never })).toThrow(TypeError);
    expect(() => new SupervisionStrategy({ maxRestarts: 3 } as never)).toThrow(TypeError);
  });
});
