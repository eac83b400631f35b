import { describe, expect, it, vi } from 'vitest';
import {
  type ActorSnapshot,
  type EmergentPattern,
  ObservabilityCollector,
  ObservabilityLevel,
  SystemHealth,
} from '../../src/observability/index.js';
import { VirtualClock } from '../../src/testing/index.js';

describe('ObservabilityLevel and SystemHealth', () => {
  it('are frozen objects of lower-case values', () => {
    expect(ObservabilityLevel).toEqual({
      BASIC: 'basic',
      DETAILED: 'detailed',
      FULL: 'full',
      INTERACTIVE: 'interactive',
    });
    expect(SystemHealth).toEqual({
      HEALTHY: 'healthy',
      DEGRADED: 'degraded',
      CRITICAL: 'critical',
      UNKNOWN: 'unknown',
    });
    expect(Object.isFrozen(ObservabilityLevel)).toBe(true);
    expect(Object.isFrozen(SystemHealth)).toBe(true);
  });
});

describe('ObservabilityCollector', () => {
  it('defaults to an hour of retention, a 5 s aggregation interval and the detailed level', () => {
    const collector = new ObservabilityCollector();
    expect(collector.retentionPeriodMs).toBe(3_600_000);
    expect(collector.aggregationIntervalMs).toBe(5000);
    expect(collector.level).toBe(ObservabilityLevel.DETAILED);
  });

  it('rejects unknown options and bad values, naming the option', () => {
    expect(() => new ObservabilityCollector({ retentionPeriod: 10 } as never)).toThrow(TypeError);
    expect(() => new ObservabilityCollector({ retentionPeriod: 10 } as never)).toThrow(/retentionPeriodMs/);
    expect(() => new ObservabilityCollector({ aggregationIntervalMs: 0 })).toThrow(
      /ObservabilityCollectorConfig\.aggregationIntervalMs/,
    );
    expect(() => new ObservabilityCollector({ retentionPeriodMs: -1 })).toThrow(RangeError);
    expect(() => new ObservabilityCollector({ level: 'verbose' as never })).toThrow(/level/);
    expect(() => new ObservabilityCollector({ cascadeMinActors: 1 })).toThrow(/cascadeMinActors/);
    expect(() => new ObservabilityCollector({ maxMessageFlows: 1.5 })).toThrow(/maxMessageFlows/);
  });

  it('fills the fields a snapshot or flow leaves out', () => {
    const clock = new VirtualClock(1000);
    const collector = new ObservabilityCollector({ clock });
    collector.recordMessageFlow({ source: 'a', destination: 'b', messageType: 'ping' });
    collector.recordActorSnapshot({ actorId: 'a', messageRate: 3 });
    const snapshot = collector.getLatestSnapshots().get('a');
    expect(snapshot).toEqual<ActorSnapshot>({
      actorId: 'a',
      timestamp: 1000,
      state: 'running',
      mailboxSize: 0,
      messageRate: 3,
      errorRate: 0,
      memoryUsage: 0,
      customMetrics: {},
      relationships: ['b'],
    });
    const [flow] = collector.getMessageFlows();
    expect(flow).toMatchObject({
      source: 'a',
      destination: 'b',
      messageType: 'ping',
      timestamp: 1000,
      payloadSize: 0,
    });
    expect(flow?.correlationId).toMatch(/\S/);
    expect(() => collector.recordSystemEvent('')).toThrow(TypeError);
    expect(() => collector.recordActorSnapshot({} as never)).toThrow(TypeError);
  });

  it('prunes records older than the retention period on the aggregation clock', async () => {
    const clock = new VirtualClock();
    const collector = new ObservabilityCollector({
      clock,
      retentionPeriodMs: 10_000,
      aggregationIntervalMs: 1000,
    });
    collector.start();
    collector.recordActorSnapshot({ actorId: 'old' });
    collector.recordMessageFlow({ source: 'old', destination: 'x', messageType: 'm' });
    collector.recordSystemEvent('deploy', { version: 1 });
    await clock.advance(6000);
    collector.recordActorSnapshot({ actorId: 'new' });
    await clock.advance(5000);
    expect([...collector.getLatestSnapshots().keys()]).toEqual(['new']);
    expect(collector.getMessageFlows()).toEqual([]);
    expect(collector.getSystemEvents()).toEqual([]);
    expect(collector.relationshipsOf('old')).toEqual([]);
    await clock.advance(6000);
    expect(collector.getLatestSnapshots().size).toBe(0);
    collector.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps memory bounded by ring buffers, dropping the oldest records first', () => {
    const collector = new ObservabilityCollector({
      maxSnapshotsPerActor: 3,
      maxMessageFlows: 2,
      maxSystemEvents: 2,
    });
    for (let index = 0; index < 10; index++) {
      collector.recordActorSnapshot({ actorId: 'a', mailboxSize: index });
      collector.recordMessageFlow({ source: 'a', destination: 'b', messageType: `m${index}` });
      collector.recordSystemEvent('tick', { index });
    }
    expect(collector.getActorSnapshots('a').map((snapshot) => snapshot.mailboxSize)).toEqual([7, 8, 9]);
    expect(collector.getMessageFlows().map((flow) => flow.messageType)).toEqual(['m8', 'm9']);
    expect(collector.getSystemEvents().map((event) => event.data.index)).toEqual([8, 9]);
  });

  it('does nothing on the clock until started, and start and stop are idempotent', async () => {
    const clock = new VirtualClock();
    const collector = new ObservabilityCollector({ clock, aggregationIntervalMs: 100 });
    const detector = vi.fn(() => []);
    collector.registerPatternDetector(detector);
    await clock.advance(500);
    expect(detector).not.toHaveBeenCalled();
    collector.start();
    collector.start();
    expect(collector.isRunning).toBe(true);
    await clock.advance(350);
    expect(detector).toHaveBeenCalledTimes(3);
    collector.stop();
    collector.stop();
    await clock.advance(500);
    expect(detector).toHaveBeenCalledTimes(3);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runs registered detectors, keeps one pattern per id and counts its occurrences', async () => {
    const clock = new VirtualClock();
    const collector = new ObservabilityCollector({ clock });
    const seen: EmergentPattern[] = [];
    collector.onPattern((pattern) => seen.push(pattern));
    const registration = collector.registerPatternDetector(() => [
      {
        patternType: 'oscillation',
        involvedActors: ['a', 'b'],
        confidence: 2,
        description: 'a and b flip-flop',
      },
    ]);
    collector.detectPatterns();
    await clock.advance(1000);
    collector.detectPatterns();
    expect(collector.getPatterns()).toEqual([
      {
        patternId: 'oscillation:a,b',
        patternType: 'oscillation',
        involvedActors: ['a', 'b'],
        confidence: 1,
        description: 'a and b flip-flop',
        firstDetected: 0,
        lastObserved: 1000,
        occurrenceCount: 2,
      },
    ]);
    expect(seen).toHaveLength(2);
    registration.dispose();
    expect(collector.detectPatterns()).toEqual([]);
  });

  it('isolates a detector that throws and still runs the others', () => {
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const collector = new ObservabilityCollector();
    collector.registerPatternDetector(() => {
      throw new Error('broken detector');
    });
    collector.registerPatternDetector(() => [
      { patternType: 'custom', involvedActors: ['x'], confidence: 0.5, description: 'x' },
    ]);
    expect(collector.detectPatterns().map((pattern) => pattern.patternType)).toEqual(['custom']);
    expect(warning).toHaveBeenCalledOnce();
    warning.mockRestore();
  });

  it('judges health from error rates, failures and active patterns', () => {
    const clock = new VirtualClock();
    const collector = new ObservabilityCollector({ clock });
    expect(collector.getSystemOverview().health).toBe(SystemHealth.UNKNOWN);
    collector.recordActorSnapshot({ actorId: 'a', messageRate: 2, errorRate: 0 });
    collector.recordActorSnapshot({ actorId: 'b', messageRate: 2, errorRate: 0.02 });
    const healthy = collector.getSystemOverview();
    expect(healthy).toMatchObject({
      health: SystemHealth.HEALTHY,
      actorCount: 2,
      totalMessageRate: 4,
      averageErrorRate: 0.01,
    });
    collector.recordActorSnapshot({ actorId: 'b', errorRate: 0.4 });
    expect(collector.getSystemOverview().health).toBe(SystemHealth.DEGRADED);
    collector.recordActorSnapshot({ actorId: 'a', errorRate: 0.9 });
    expect(collector.getSystemOverview().health).toBe(SystemHealth.CRITICAL);
  });
});
