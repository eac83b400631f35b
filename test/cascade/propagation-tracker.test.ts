import { describe, expect, it } from 'vitest';
import { ErrorPropagationTracker, type QuarantineInfo } from '../../src/cascade/index.js';
import { FailureType } from '../../src/circuit-breaker/index.js';
import { VirtualClock } from '../../src/testing/index.js';

function setup(config: ConstructorParameters<typeof ErrorPropagationTracker>[0] = {}) {
  const clock = new VirtualClock(1_000);
  return { clock, tracker: new ErrorPropagationTracker({ clock, ...config }) };
}

describe('ErrorPropagationTracker', () => {
  it('bounds propagation at 5 hops by default', () => {
    expect(new ErrorPropagationTracker().maxPropagationDepth).toBe(5);
  });

  it('records a failure with defaults filled in', () => {
    const { tracker } = setup();
    const failure = tracker.recordFailure({ actorId: 'a', error: new Error('boom') });
    expect(failure).toEqual({
      actorId: 'a',
      failureType: FailureType.ERROR,
      errorMessage: 'boom',
      timestamp: 1_000,
      correlationId: undefined,
      propagationPath: [],
      severity: 1,
      depth: 0,
    });
    expect(tracker.getFailureHistory('a')).toEqual([failure]);
  });

  it('marks an actor infected while its last failure is within failureWindowMs', async () => {
    const { clock, tracker } = setup({ failureWindowMs: 1_000 });
    expect(tracker.isActorInfected('a')).toBe(false);
    tracker.recordFailure({ actorId: 'a' });
    expect(tracker.isActorInfected('a')).toBe(true);
    await clock.advance(999);
    expect(tracker.isActorInfected('a')).toBe(true);
    await clock.advance(1);
    expect(tracker.isActorInfected('a')).toBe(false);
  });

  it('marks the actors a failure passed through as infected, without counting failures against them', () => {
    const { tracker } = setup({ quarantineThreshold: 1 });
    tracker.recordFailure({ actorId: 'c', propagationPath: ['a', 'b'] });
    expect(['a', 'b', 'c'].map((id) => tracker.isActorInfected(id))).toEqual([true, true, true]);
    expect(tracker.getFailureHistory('b')).toEqual([]);
    expect(tracker.isQuarantined('b')).toBe(false);
    expect(tracker.isQuarantined('c')).toBe(true);
  });

  it('links a failure to the one it came from through the error and its cause chain', () => {
    const { tracker } = setup();
    const root = new Error('database down');
    tracker.recordFailure({ actorId: 'inventory', error: root });
    const wrapped = new Error('cannot reserve stock', { cause: root });
    expect(tracker.recordFailure({ actorId: 'orders', error: wrapped }).propagationPath).toEqual([
      'inventory',
    ]);
    const outer = new Error('checkout failed', { cause: wrapped });
    const checkout = tracker.recordFailure({ actorId: 'checkout', error: outer });
    expect(checkout.propagationPath).toEqual(['inventory', 'orders']);
    expect(checkout.depth).toBe(2);
    // The same error failing its own actor again is not propagation.
    expect(tracker.recordFailure({ actorId: 'inventory', error: root }).propagationPath).toEqual([]);
  });

  it('quarantines an actor whose failures, weighted by severity, reach quarantineThreshold in the window', async () => {
    const { clock, tracker } = setup({ quarantineThreshold: 2, failureWindowMs: 1_000 });
    tracker.recordFailure({ actorId: 'a', severity: 0.5 });
    tracker.recordFailure({ actorId: 'a', severity: 0.5 });
    await clock.advance(1_000);
    tracker.recordFailure({ actorId: 'a' });
    expect(tracker.isQuarantined('a')).toBe(false);
    tracker.recordFailure({ actorId: 'a' });
    expect(tracker.isQuarantined('a')).toBe(true);
    expect(tracker.getQuarantine('a')?.reason).toBe('2 failures within 1000 ms');
  });

  it('quarantines the origin of a failure that propagated past maxPropagationDepth', () => {
    const { tracker } = setup({ maxPropagationDepth: 2 });
    const events: QuarantineInfo[] = [];
    tracker.onQuarantine((event) => events.push(event));
    tracker.recordFailure({ actorId: 'c', propagationPath: ['a', 'b'] });
    expect(tracker.isQuarantined('a')).toBe(false);
    tracker.recordFailure({ actorId: 'd', propagationPath: ['a', 'b', 'c'] });
    expect(tracker.isQuarantined('a')).toBe(true);
    expect(tracker.isQuarantined('d')).toBe(false);
    expect(events.map((event) => [event.actorId, event.reason])).toEqual([
      ['a', 'a failure propagated 3 hops, past the limit of 2'],
    ]);
  });

  it('ends a quarantine on the clock and lengthens the next one, up to maxQuarantineDurationMs', async () => {
    const { clock, tracker } = setup({ quarantineDurationMs: 100, maxQuarantineDurationMs: 250 });
    expect(tracker.quarantineActor('a')).toMatchObject({ since: 1_000, until: 1_100, count: 1 });
    await clock.advance(99);
    expect(tracker.isQuarantined('a')).toBe(true);
    await clock.advance(1);
    expect(tracker.isQuarantined('a')).toBe(false);
    expect(tracker.quarantineActor('a')).toMatchObject({ until: 1_300, count: 2 });
    await clock.advance(200);
    expect(tracker.quarantineActor('a')).toMatchObject({ until: 1_550, count: 3 });
    await clock.advance(250 + 250);
    expect(tracker.quarantineActor('a')).toMatchObject({ count: 1 });
  });

  it('quarantines by hand for a given time or until released', async () => {
    const { clock, tracker } = setup();
    tracker.quarantineActor('a', { durationMs: Number.POSITIVE_INFINITY, reason: 'maintenance' });
    await clock.advance(1e9);
    expect(tracker.getQuarantine('a')).toMatchObject({
      reason: 'maintenance',
      until: Number.POSITIVE_INFINITY,
    });
    expect(tracker.isActorInfected('a')).toBe(true);
    expect(tracker.releaseActor('a')).toBe(true);
    expect(tracker.isQuarantined('a')).toBe(false);
    expect(tracker.releaseActor('a')).toBe(false);
    expect(() => tracker.quarantineActor('a', { durationMs: 0 })).toThrow(RangeError);
  });

  it('makes a released actor fail anew before it is quarantined again', () => {
    const { tracker } = setup({ quarantineThreshold: 2 });
    tracker.recordFailure({ actorId: 'a' });
    tracker.recordFailure({ actorId: 'a' });
    tracker.releaseActor('a');
    tracker.recordFailure({ actorId: 'a' });
    expect(tracker.isQuarantined('a')).toBe(false);
  });

  it('analyses types, depths, edges, sources within the depth bound, and hotspots', () => {
    const { tracker } = setup({ maxPropagationDepth: 2, quarantineThreshold: 100 });
    tracker.recordFailure({ actorId: 'a', failureType: FailureType.TIMEOUT });
    tracker.recordFailure({ actorId: 'b', propagationPath: ['a'] });
    tracker.recordFailure({ actorId: 'b', propagationPath: ['a'] });
    tracker.recordFailure({ actorId: 'c', propagationPath: ['a', 'b'] });
    const analysis = tracker.analyzePropagationPatterns();
    expect(analysis.totalFailures).toBe(4);
    expect(analysis.recentFailures).toBe(4);
    expect(analysis.failuresByType).toEqual({ timeout: 1, error: 3 });
    expect(analysis.maxDepth).toBe(2);
    expect(analysis.averageDepth).toBe(1);
    expect(analysis.edges.map(({ from, to, count }) => [from, to, count])).toEqual([
      ['a', 'b', 2],
      ['b', 'c', 1],
    ]);
    expect(analysis.sources).toEqual([
      { actorId: 'a', reach: 2, depth: 2 },
      { actorId: 'b', reach: 1, depth: 1 },
    ]);
    expect(analysis.hotspots[0]).toEqual({ actorId: 'b', failures: 2 });
    expect(analysis.infectedActors).toEqual(['a', 'b', 'c']);
    expect(analysis.quarantinedActors).toEqual([]);
  });

  it('follows the graph no deeper than maxPropagationDepth', () => {
    const { tracker } = setup({ maxPropagationDepth: 2, quarantineThreshold: 100 });
    tracker.recordFailure({ actorId: 'b', propagationPath: ['a'] });
    tracker.recordFailure({ actorId: 'c', propagationPath: ['b'] });
    tracker.recordFailure({ actorId: 'd', propagationPath: ['c'] });
    expect(tracker.analyzePropagationPatterns().sources[0]).toEqual({ actorId: 'a', reach: 2, depth: 2 });
  });

  it('drops edges and recent counts older than the window', async () => {
    const { clock, tracker } = setup({ failureWindowMs: 500 });
    tracker.recordFailure({ actorId: 'b', propagationPath: ['a'] });
    await clock.advance(500);
    const analysis = tracker.analyzePropagationPatterns();
    expect(analysis.edges).toEqual([]);
    expect(analysis.recentFailures).toBe(0);
    expect(analysis.totalFailures).toBe(1);
  });

  it('lists the infected actors and forgets those whose failures expired', async () => {
    const { clock, tracker } = setup({ failureWindowMs: 100 });
    tracker.recordFailure({ actorId: 'b', propagationPath: ['a'] });
    tracker.quarantineActor('q', { durationMs: 1_000 });
    expect(tracker.infectedActors()).toEqual(['a', 'b', 'q']);
    await clock.advance(100);
    expect(tracker.infectedActors()).toEqual(['q']);
    expect(tracker.quarantinedActors()).toEqual(['q']);
  });

  it('keeps at most maxHistory failures', () => {
    const { tracker } = setup({ maxHistory: 3, quarantineThreshold: 100 });
    for (let index = 0; index < 5; index++) tracker.recordFailure({ actorId: `a${index}` });
    expect(tracker.getFailureHistory().map((failure) => failure.actorId)).toEqual(['a2', 'a3', 'a4']);
  });

  it('rejects invalid failure records', () => {
    const { tracker } = setup();
    expect(() => tracker.recordFailure({ actorId: '' })).toThrow(/actorId/);
    expect(() => tracker.recordFailure({ actorId: 'a', severity: 2 })).toThrow(RangeError);
    expect(() => tracker.recordFailure({ actorId: 'a', failureType: 'bad' as FailureType })).toThrow(
      /FailureType/,
    );
    expect(() => tracker.recordFailure({ actorId: 'a', propagationPath: [1 as unknown as string] })).toThrow(
      /propagationPath/,
    );
  });

  it('forgets an actor entirely', () => {
    const { tracker } = setup();
    tracker.recordFailure({ actorId: 'b', propagationPath: ['a'] });
    tracker.quarantineActor('b');
    expect(tracker.forgetActor('b')).toBe(true);
    expect(tracker.isActorInfected('b')).toBe(false);
    expect(tracker.analyzePropagationPatterns().edges).toEqual([]);
  });
});
