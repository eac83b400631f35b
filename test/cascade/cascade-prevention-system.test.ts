import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  ActorQuarantinedError,
  type CascadeEventSink,
  CascadePreventionSystem,
  isActorQuarantinedError,
  isAnomalyDetectedError,
  RESPONSE_TIME_METRIC,
} from '../../src/cascade/index.js';
import {
  CircuitBreaker,
  CircuitState,
  FailureType,
  getAllCircuitBreakers,
  isCircuitBreakerOpenError,
} from '../../src/circuit-breaker/index.js';
import { ActorSystem, isAskTimeoutError } from '../../src/supervision/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { Replica } from './fixtures/replicas.js';
import { Forwarder, Service } from './fixtures/services.js';

class Recorder implements CascadeEventSink {
  readonly events: [string, Record<string, unknown>][] = [];
  recordSystemEvent(eventType: string, eventData: Record<string, unknown>): void {
    this.events.push([eventType, eventData]);
  }
  types(): string[] {
    return this.events.map(([type]) => type);
  }
}

describe('CascadePreventionSystem', () => {
  let clock: VirtualClock;
  let system: ActorSystem;
  let collector: Recorder;
  let cascade: CascadePreventionSystem;

  beforeEach(() => {
    clock = new VirtualClock();
    system = new ActorSystem({ clock, strategy: { maxFailures: 1000, restartDelayMs: 0 } });
    collector = new Recorder();
    cascade = new CascadePreventionSystem(system, collector);
    Service.handled = 0;
  });

  afterEach(async () => {
    cascade.stop();
    const done = system.shutdown();
    await clock.advance(10_000);
    await done;
    expect(clock.pendingTimers).toBe(0);
  });

  describe('lifecycle', () => {
    it('monitors on one timer while started and clears it on stop; both are idempotent', async () => {
      expect(cascade.running).toBe(false);
      cascade.start();
      cascade.start();
      expect(cascade.running).toBe(true);
      expect(clock.pendingTimers).toBe(1);
      await clock.advance(15_000);
      expect(clock.pendingTimers).toBe(1);
      cascade.stop();
      cascade.stop();
      expect(cascade.running).toBe(false);
      expect(clock.pendingTimers).toBe(0);
      expect(collector.types()).toEqual(['cascade_prevention_started', 'cascade_prevention_stopped']);
    });

    it('tracks the failures supervisors handle only while started', async () => {
      const ref = await system.createActor(Service, 'svc');
      await expect(ref.ask('fail')).rejects.toThrow('svc failed');
      await clock.advance(10);
      expect(cascade.propagationTracker.isActorInfected('svc')).toBe(false);
      cascade.start();
      await expect(ref.ask('fail')).rejects.toThrow('svc failed');
      await clock.advance(10);
      expect(cascade.propagationTracker.getFailureHistory('svc')).toMatchObject([
        { failureType: FailureType.ERROR, errorMessage: 'svc failed' },
      ]);
      cascade.stop();
      await expect(ref.ask('fail')).rejects.toThrow();
      await clock.advance(10);
      expect(cascade.propagationTracker.getFailureHistory('svc')).toHaveLength(1);
    });
  });

  describe('getOrCreateCircuitBreaker', () => {
    it('gives each actor one real breaker in its own registry, on the system clock', async () => {
      const breaker = cascade.getOrCreateCircuitBreaker('svc', { failureThreshold: 2, cooldownMs: 100 });
      expect(breaker).toBeInstanceOf(CircuitBreaker);
      expect(cascade.getOrCreateCircuitBreaker('svc')).toBe(breaker);
      expect(cascade.circuitBreakers.get('svc')).toBe(breaker);
      expect(getAllCircuitBreakers()).not.toContain(breaker);
      breaker.recordFailure(new Error('x'));
      breaker.recordFailure(new Error('x'));
      expect(breaker.state).toBe(CircuitState.OPEN);
      await clock.advance(100);
      expect(breaker.state).toBe(CircuitState.HALF_OPEN);
    });

    it('starts breakers from the circuitBreaker defaults and reports their state changes', () => {
      const configured = new CascadePreventionSystem(system, collector, {
        circuitBreaker: { failureThreshold: 1 },
      });
      configured.getOrCreateCircuitBreaker('svc').recordFailure(new Error('x'));
      expect(configured.getOrCreateCircuitBreaker('svc').state).toBe(CircuitState.OPEN);
      expect(collector.events).toContainEqual([
        'circuit_state_changed',
        { actorId: 'svc', from: 'closed', to: 'open', reason: 'failure_threshold' },
      ]);
    });
  });

  describe('protectedCall', () => {
    it('answers through the breaker and records the response time', async () => {
      const ref = await system.createActor(Service, 'svc');
      await expect(cascade.protectedCall(ref, 'get', 'stock')).resolves.toBe('stock');
      expect(cascade.getOrCreateCircuitBreaker('svc').getMetrics().calls).toBe(1);
      expect(cascade.anomalyDetector.getMetricStats('svc', RESPONSE_TIME_METRIC)?.count).toBe(1);
    });

    it('refuses a quarantined actor at once, without reaching it', async () => {
      const ref = await system.createActor(Service, 'svc');
      cascade.propagationTracker.quarantineActor('svc', { durationMs: 2_000, reason: 'maintenance' });
      await clock.advance(500);
      const error = await cascade.protectedCall(ref, 'get').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ActorQuarantinedError);
      expect(isActorQuarantinedError(error)).toBe(true);
      expect(error).toMatchObject({
        code: 'ACTOR_QUARANTINED',
        actorId: 'svc',
        retryAfterMs: 1_500,
        reason: 'maintenance',
      });
      expect(Service.handled).toBe(0);
      await clock.advance(1_500);
      await expect(cascade.protectedCall(ref, 'get')).resolves.toBe('ok');
    });

    it('fails fast with CircuitBreakerOpenError once the actor keeps failing', async () => {
      const ref = await system.createActor(Service, 'svc');
      cascade.getOrCreateCircuitBreaker('svc', { failureThreshold: 3 });
      for (let index = 0; index < 3; index++)
        await expect(cascade.protectedCall(ref, 'fail')).rejects.toThrow('svc failed');
      const handled = Service.handled;
      await expect(cascade.protectedCall(ref, 'get')).rejects.toSatisfy(isCircuitBreakerOpenError);
      expect(Service.handled).toBe(handled);
    });

    it('tracks the errors of its calls until started, then only through the supervisor, once', async () => {
      const ref = await system.createActor(Service, 'svc');
      await expect(cascade.protectedCall(ref, 'fail')).rejects.toThrow('svc failed');
      await clock.advance(10);
      expect(cascade.propagationTracker.getFailureHistory('svc')).toHaveLength(1);
      cascade.start();
      await expect(cascade.protectedCall(ref, 'fail')).rejects.toThrow('svc failed');
      await clock.advance(10);
      expect(cascade.propagationTracker.getFailureHistory('svc')).toHaveLength(2);
    });

    it('quarantines an actor that keeps failing, after which calls fail fast', async () => {
      const ref = await system.createActor(Service, 'svc');
      for (let index = 0; index < 5; index++)
        await expect(cascade.protectedCall(ref, 'fail')).rejects.toThrow();
      expect(cascade.propagationTracker.isQuarantined('svc')).toBe(true);
      await expect(cascade.protectedCall(ref, 'get')).rejects.toSatisfy(isActorQuarantinedError);
    });

    it('times out after timeoutMs and tracks the timeout as a failure', async () => {
      const ref = await system.createActor(Service, 'svc');
      const pending = cascade.protectedCall(ref, 'hang', undefined, { timeoutMs: 300 });
      const settled = expect(pending).rejects.toSatisfy(isAskTimeoutError);
      await clock.advance(300);
      await settled;
      expect(cascade.propagationTracker.getFailureHistory('svc')).toMatchObject([
        { failureType: FailureType.TIMEOUT },
      ]);
      expect(cascade.getOrCreateCircuitBreaker('svc').getMetrics().failures).toBe(1);
    });

    it('waits 30000 ms by default', async () => {
      const ref = await system.createActor(Service, 'svc');
      let settled = false;
      const pending = cascade.protectedCall(ref, 'hang').catch(() => {
        settled = true;
      });
      await clock.advance(29_999);
      expect(settled).toBe(false);
      await clock.advance(1);
      await pending;
      expect(settled).toBe(true);
    });

    it('refuses an actor whose anomaly score reaches anomalyRejectionScore, letting one probe through per cooldown', async () => {
      cascade = new CascadePreventionSystem(system, collector, { anomalyRejectionScore: 0.9 });
      const ref = await system.createActor(Service, 'svc');
      const detector = cascade.anomalyDetector;
      for (let index = 0; index < 20; index++) detector.recordMetric('svc', 'queueDepth', 10 + (index % 3));
      detector.recordMetric('svc', 'queueDepth', 500);
      expect(detector.getAnomalyScore('svc')).toBeGreaterThanOrEqual(0.9);
      const error = await cascade.protectedCall(ref, 'get').catch((caught: unknown) => caught);
      expect(isAnomalyDetectedError(error)).toBe(true);
      expect(error).toMatchObject({
        code: 'ANOMALY_DETECTED',
        actorId: 'svc',
        anomalies: [['queueDepth', expect.any(Number)]],
      });
      await clock.advance(5_000);
      await expect(cascade.protectedCall(ref, 'get')).resolves.toBe('ok');
      await expect(cascade.protectedCall(ref, 'get')).rejects.toSatisfy(isAnomalyDetectedError);
      detector.recordMetric('svc', 'queueDepth', 11);
      await expect(cascade.protectedCall(ref, 'get')).resolves.toBe('ok');
    });

    it('never refuses for anomalies by default, even in emergency mode', async () => {
      const ref = await system.createActor(Service, 'svc');
      for (let index = 0; index < 20; index++) cascade.anomalyDetector.recordMetric('svc', 'm', 1);
      cascade.anomalyDetector.recordMetric('svc', 'm', 1e6);
      for (const id of ['x', 'y', 'z']) cascade.getOrCreateCircuitBreaker(id).forceOpen();
      expect(cascade.emergencyMode).toBe(true);
      await expect(cascade.protectedCall(ref, 'get')).resolves.toBe('ok');
    });

    it('keeps the answer type', async () => {
      const ref = await system.createActor(Service, 'svc');
      expectTypeOf(cascade.protectedCall<string>(ref, 'get')).toEqualTypeOf<Promise<string>>();
    });
  });

  describe('cascades', () => {
    it('follows a failure through the actors that wrap it and quarantines its origin past the depth limit', async () => {
      const guarded = new CascadePreventionSystem(system, collector, {
        propagation: { maxPropagationDepth: 1, quarantineThreshold: 100 },
      });
      guarded.start();
      await system.createActor(Service, 'inventory');
      await system.createActor(Forwarder, 'orders', guarded, 'inventory');
      const checkout = await system.createActor(Forwarder, 'checkout', guarded, 'orders');
      await expect(checkout.ask('fail')).rejects.toThrow('checkout could not reach orders');
      await clock.advance(10);
      const paths = guarded.propagationTracker
        .getFailureHistory()
        .map((failure) => [failure.actorId, failure.propagationPath]);
      expect(paths).toEqual([
        ['inventory', []],
        ['orders', ['inventory']],
        ['checkout', ['inventory', 'orders']],
      ]);
      expect(guarded.propagationTracker.isQuarantined('inventory')).toBe(true);
      expect(collector.events).toContainEqual([
        'actor_quarantined',
        expect.objectContaining({ actorId: 'inventory', count: 1 }),
      ]);
      const inventory = system.getActor('inventory')!;
      await expect(guarded.protectedCall(inventory, 'get')).rejects.toSatisfy(isActorQuarantinedError);
      guarded.stop();
    });
  });

  describe('validateWithConsensus', () => {
    it('agrees without quarantined replicas and tracks a dissenting one as a consensus failure', async () => {
      const voting = new CascadePreventionSystem(system, collector, {
        consensus: { quorumSize: 3, agreementThreshold: 0.6 },
      });
      const refs = await Promise.all([
        system.createActor(Replica, 'r0', 10),
        system.createActor(Replica, 'r1', 10),
        system.createActor(Replica, 'r2', 99),
        system.createActor(Replica, 'r3', 99),
      ]);
      voting.propagationTracker.quarantineActor('r3');
      await expect(voting.validateWithConsensus(refs, 'price')).resolves.toEqual([true, 10]);
      expect(voting.propagationTracker.getFailureHistory()).toMatchObject([
        { actorId: 'r2', failureType: FailureType.CONSENSUS_FAILURE },
      ]);
    });

    it('reports a failed consensus to the collector', async () => {
      const refs = await Promise.all(
        [10, 20, 30].map((answer, index) => system.createActor(Replica, `r${index}`, answer)),
      );
      await expect(cascade.validateWithConsensus(refs, { type: 'price' })).resolves.toEqual([
        false,
        undefined,
      ]);
      expect(collector.events).toContainEqual([
        'consensus_failed',
        { actors: ['r0', 'r1', 'r2'], answered: 3, agreement: 1 / 3 },
      ]);
    });
  });

  describe('health', () => {
    it('scores 1 with nothing known, 0 for an open breaker, 0.5 while infected, and averages over actors', () => {
      expect(cascade.systemHealthScore).toBe(1);
      cascade.getOrCreateCircuitBreaker('a');
      cascade.getOrCreateCircuitBreaker('b').forceOpen();
      expect(cascade.systemHealthScore).toBe(0.5);
      cascade.reportFailure({ actorId: 'c' });
      expect(cascade.systemHealthScore).toBeCloseTo((1 + 0 + 0.5) / 3);
      cascade.propagationTracker.quarantineActor('a');
      expect(cascade.systemHealthScore).toBeCloseTo(0.5 / 3);
    });

    it('counts an anomalous actor as at worst half healthy', () => {
      for (let index = 0; index < 20; index++) cascade.anomalyDetector.recordMetric('a', 'm', 1);
      cascade.anomalyDetector.recordMetric('a', 'm', 1e6);
      expect(cascade.anomalyDetector.getAnomalyScore('a')).toBeGreaterThan(0.99);
      expect(cascade.systemHealthScore).toBeCloseTo(0.5, 2);
      expect(cascade.emergencyMode).toBe(false);
    });

    it('enters emergency mode below 0.3 and leaves it at 0.5, telling listeners and the collector', () => {
      const changes: boolean[] = [];
      cascade.onEmergencyModeChange((change) => changes.push(change.emergencyMode));
      for (const id of ['a', 'b', 'c', 'd']) cascade.getOrCreateCircuitBreaker(id);
      cascade.propagationTracker.quarantineActor('a');
      cascade.propagationTracker.quarantineActor('b');
      expect(cascade.emergencyMode).toBe(false);
      cascade.propagationTracker.quarantineActor('c');
      expect(cascade.emergencyMode).toBe(true);
      cascade.propagationTracker.releaseActor('c');
      expect(cascade.systemHealthScore).toBe(0.5);
      expect(cascade.emergencyMode).toBe(false);
      expect(changes).toEqual([true, false]);
      expect(collector.types()).toContain('emergency_mode_entered');
      expect(collector.types()).toContain('emergency_mode_exited');
    });

    it('refuses calls to an actor past the z-score threshold while in emergency mode', async () => {
      cascade = new CascadePreventionSystem(system, collector, { anomalyRejectionScore: 0.9 });
      const ref = await system.createActor(Service, 'svc');
      // Mean 5, standard deviation 5: the value 25 is 4 standard deviations away (score 0.64).
      for (let index = 0; index < 20; index++)
        cascade.anomalyDetector.recordMetric('svc', 'm', (index % 2) * 10);
      cascade.anomalyDetector.recordMetric('svc', 'm', 25);
      const score = cascade.anomalyDetector.getAnomalyScore('svc');
      expect(score).toBeGreaterThan(0.5);
      expect(score).toBeLessThan(0.9);
      await expect(cascade.protectedCall(ref, 'get')).resolves.toBe('ok');
      for (const id of ['x', 'y', 'z']) cascade.getOrCreateCircuitBreaker(id).forceOpen();
      expect(cascade.emergencyMode).toBe(true);
      await expect(cascade.protectedCall(ref, 'get')).rejects.toSatisfy(isAnomalyDetectedError);
    });

    it('reports every known actor in its status', async () => {
      cascade.getOrCreateCircuitBreaker('a').forceOpen();
      cascade.reportFailure({ actorId: 'b', propagationPath: ['a'] });
      const status = cascade.getSystemStatus();
      expect(status).toMatchObject({
        running: false,
        emergencyMode: true,
        quarantinedActors: [],
        infectedActors: ['a', 'b'],
        openCircuits: ['a'],
      });
      expect(status.healthScore).toBe(0.25);
      expect(status.actors).toContainEqual({
        actorId: 'a',
        circuitState: 'forced_open',
        quarantined: false,
        infected: true,
        anomalyScore: 0,
        health: 0,
      });
      expect(status.propagation.edges).toMatchObject([{ from: 'a', to: 'b', count: 1 }]);
    });

    it('re-evaluates emergency mode on its monitor timer as quarantines end', async () => {
      cascade.start();
      cascade.getOrCreateCircuitBreaker('a');
      cascade.propagationTracker.quarantineActor('a', { durationMs: 7_000 });
      expect(cascade.emergencyMode).toBe(true);
      collector.events.length = 0;
      await clock.advance(10_000);
      expect(collector.types()).toEqual(['emergency_mode_exited']);
    });
  });

  describe('collector', () => {
    it('isolates a collector that throws', () => {
      const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      const broken = new CascadePreventionSystem(system, {
        recordSystemEvent() {
          throw new Error('collector down');
        },
      });
      expect(() => broken.propagationTracker.quarantineActor('a')).not.toThrow();
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({ message: 'collector down' }),
        expect.anything(),
      );
      warn.mockRestore();
    });
  });
});
