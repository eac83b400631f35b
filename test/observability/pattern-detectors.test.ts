import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ObservabilityCollector, SystemHealth } from '../../src/observability/index.js';
import { VirtualClock } from '../../src/testing/index.js';

function setup() {
  const clock = new VirtualClock(100_000);
  const collector = new ObservabilityCollector({ clock, aggregationIntervalMs: 1000, cascadeWindowMs: 5000 });
  const fail = (actorId: string) => collector.recordSystemEvent('actor_failed', { actorId });
  const send = (source: string, destination: string) =>
    collector.recordMessageFlow({ source, destination, messageType: 'work' });
  return { clock, collector, fail, send };
}

describe('hotspot detection', () => {
  it('reports the actor whose message rate dominates the others', () => {
    const { collector, send } = setup();
    for (let index = 0; index < 40; index++) send('gateway', 'orders');
    send('gateway', 'billing');
    send('gateway', 'audit');
    const [hotspot, ...others] = collector.detectPatterns();
    expect(others).toEqual([]);
    expect(hotspot).toMatchObject({ patternType: 'hotspot', involvedActors: ['orders'], occurrenceCount: 1 });
    expect(hotspot!.confidence).toBeGreaterThan(0.9);
    expect(hotspot!.description).toContain('orders');
    expect(collector.getSystemOverview().health).toBe(SystemHealth.DEGRADED);
  });

  it('uses the message rates actor snapshots report', () => {
    const { collector } = setup();
    collector.recordActorSnapshot({ actorId: 'a', messageRate: 500 });
    collector.recordActorSnapshot({ actorId: 'b', messageRate: 20 });
    collector.recordActorSnapshot({ actorId: 'c', messageRate: 30 });
    expect(collector.detectPatterns().map((pattern) => pattern.involvedActors)).toEqual([['a']]);
  });

  it('reports nothing when the load is spread evenly, whatever the rates', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1, max: 1000, noNaN: true }), { minLength: 2, maxLength: 8 }),
        (base) => {
          const { collector } = setup();
          // Every rate within a factor of 2 of the others: none is 3 times their mean.
          base.forEach((rate, index) => {
            collector.recordActorSnapshot({ actorId: `actor-${index}`, messageRate: 100 + (rate % 100) });
          });
          return collector.detectPatterns().length === 0;
        },
      ),
    );
  });

  it('ignores rates below the minimum and lone actors', () => {
    const { collector } = setup();
    collector.recordActorSnapshot({ actorId: 'alone', messageRate: 1000 });
    expect(collector.detectPatterns()).toEqual([]);
    const quiet = new ObservabilityCollector({ hotspotMinRate: 10 });
    quiet.recordActorSnapshot({ actorId: 'a', messageRate: 5 });
    quiet.recordActorSnapshot({ actorId: 'b', messageRate: 0 });
    expect(quiet.detectPatterns()).toEqual([]);
  });
});

describe('cascade detection', () => {
  it('reports failures that propagate along message flows, in the order they happened', async () => {
    const { clock, collector, fail, send } = setup();
    send('api', 'orders');
    send('orders', 'payments');
    send('payments', 'ledger');
    fail('ledger');
    await clock.advance(500);
    fail('payments');
    await clock.advance(500);
    fail('orders');
    const cascades = collector.detectPatterns().filter((pattern) => pattern.patternType === 'cascade');
    expect(cascades).toHaveLength(1);
    expect(cascades[0]).toMatchObject({ involvedActors: ['ledger', 'payments', 'orders'] });
    expect(cascades[0]!.description).toContain('ledger');
    expect(collector.getSystemOverview().health).toBe(SystemHealth.CRITICAL);
  });

  it('does not link failures of actors that exchanged no messages', () => {
    const { collector, fail, send } = setup();
    send('a', 'b');
    fail('a');
    fail('c');
    fail('d');
    expect(collector.detectPatterns().filter((pattern) => pattern.patternType === 'cascade')).toEqual([]);
  });

  it('does not link failures further apart than the cascade window', async () => {
    const { clock, collector, fail, send } = setup();
    send('a', 'b');
    fail('a');
    await clock.advance(6000);
    send('a', 'b');
    fail('b');
    expect(collector.detectPatterns().filter((pattern) => pattern.patternType === 'cascade')).toEqual([]);
  });

  it('does not link failures through a message exchanged long before', async () => {
    const { clock, collector, fail, send } = setup();
    send('a', 'b');
    await clock.advance(20_000);
    fail('a');
    fail('b');
    expect(collector.detectPatterns().filter((pattern) => pattern.patternType === 'cascade')).toEqual([]);
  });

  it('honours the minimum number of actors', () => {
    const clock = new VirtualClock();
    const collector = new ObservabilityCollector({ clock, cascadeMinActors: 3 });
    collector.recordMessageFlow({ source: 'a', destination: 'b', messageType: 'x' });
    collector.recordSystemEvent('actor_failed', { actorId: 'a' });
    collector.recordSystemEvent('actor_failed', { actorId: 'b' });
    expect(collector.detectPatterns()).toEqual([]);
    collector.recordMessageFlow({ source: 'c', destination: 'b', messageType: 'x' });
    collector.recordSystemEvent('worker_error', { actorId: 'c' });
    expect(collector.detectPatterns().map((pattern) => pattern.involvedActors)).toEqual([['a', 'b', 'c']]);
  });
});
