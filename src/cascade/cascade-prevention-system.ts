import {
  type CircuitBreaker,
  type CircuitBreakerConfig,
  CircuitBreakerRegistry,
  CircuitState,
  FailureType,
} from '../circuit-breaker/index.js';
import {
  type Clock,
  type Disposable,
  type Event,
  EventEmitter,
  rules,
  type Schema,
  validateConfig,
  withoutStackTrace,
} from '../core/index.js';
import { type ActorSystem, isAskTimeoutError, isHandlerTimeoutError } from '../supervision/index.js';
import { AnomalyDetector, type AnomalyDetectorConfig } from './anomaly-detector.js';
import {
  type ActorRefLike,
  type ConsensusOptions,
  type ConsensusQuery,
  ConsensusValidator,
  type ConsensusValidatorConfig,
} from './consensus-validator.js';
import { ActorQuarantinedError, AnomalyDetectedError } from './errors.js';
import {
  type CascadeFailureRecord,
  ErrorPropagationTracker,
  type ErrorPropagationTrackerConfig,
  type PropagationAnalysis,
  type QuarantineInfo,
  type TrackedFailure,
} from './propagation-tracker.js';

/**
 * Where the system reports what it does: any object with `recordSystemEvent`, such as an
 * `ObservabilityCollector`.
 */
export interface CascadeEventSink {
  recordSystemEvent(eventType: string, eventData: Record<string, unknown>): void;
}

/** What the system needs of an actor system: its clock and its supervisors' failures. */
export type CascadeActorSystem = Pick<ActorSystem, 'clock' | 'onFailure'>;

/** Options of a {@link CascadePreventionSystem}. */
export interface CascadePreventionConfig {
  /**
   * Options of the anomaly detector fed with each actor's response times.
   * @default { minStdDev: 1 } (response times are whole milliseconds: 1 ms is noise)
   */
  anomaly?: AnomalyDetectorConfig | undefined;
  /** Options of the propagation tracker. @default its defaults, on the system's clock */
  propagation?: ErrorPropagationTrackerConfig | undefined;
  /** Options of the consensus validator. @default its defaults */
  consensus?: ConsensusValidatorConfig | undefined;
  /** Configuration every actor's circuit breaker starts from. @default the breaker's defaults, on the system's clock */
  circuitBreaker?: CircuitBreakerConfig | undefined;
  /**
   * How long `protectedCall` waits for an answer when the call does not say.
   * @default 30000
   */
  defaultTimeoutMs?: number | undefined;
  /**
   * The anomaly score (0..1] at which `protectedCall` refuses calls with
   * `AnomalyDetectedError`; in emergency mode any score above 0.5 (past the detector's
   * z-score threshold) refuses too. Off by default: one slow answer (a garbage-collection
   * pause, say) makes a single value anomalous, and refusing on it would start the very
   * cascade this system prevents. Turn it on where the metrics are steadier, or where
   * actors report metrics of their own.
   * @default false
   */
  anomalyRejectionScore?: number | false | undefined;
  /**
   * How long calls to an anomalous actor are refused before one goes through as a probe
   * whose response time updates the actor's score.
   * @default 5000
   */
  anomalyCooldownMs?: number | undefined;
  /**
   * The health score below which the system enters emergency mode.
   * @default 0.3
   */
  emergencyThreshold?: number | undefined;
  /**
   * The health score at or above which the system leaves emergency mode; at least `emergencyThreshold`.
   * @default 0.5, or `emergencyThreshold` when that is higher
   */
  emergencyExitThreshold?: number | undefined;
  /**
   * How often, while started, the system re-evaluates its health (quarantines end and
   * breakers cool down as time passes).
   * @default 5000
   */
  monitorIntervalMs?: number | undefined;
  /** @default the actor system's clock */
  clock?: Clock | undefined;
}

/** Options of {@link CascadePreventionSystem.protectedCall}. */
export interface ProtectedCallOptions {
  /** How long to wait for the answer. @default the system's `defaultTimeoutMs` */
  timeoutMs?: number | undefined;
}

/** One actor as {@link CascadePreventionSystem.getSystemStatus} reports it. */
export interface CascadeActorStatus {
  readonly actorId: string;
  /** Its breaker's state, or undefined when it has none. */
  readonly circuitState: CircuitState | undefined;
  readonly quarantined: boolean;
  readonly infected: boolean;
  readonly anomalyScore: number;
  /** This actor's part of the health score, 0..1. */
  readonly health: number;
}

/** What {@link CascadePreventionSystem.getSystemStatus} returns. */
export interface CascadeSystemStatus {
  readonly running: boolean;
  readonly emergencyMode: boolean;
  /** The system health score, 0..1. */
  readonly healthScore: number;
  readonly actors: readonly CascadeActorStatus[];
  readonly quarantinedActors: readonly string[];
  readonly infectedActors: readonly string[];
  /** Actors whose breaker is open, forced open or half-open. */
  readonly openCircuits: readonly string[];
  readonly propagation: PropagationAnalysis;
}

/** The payload of {@link CascadePreventionSystem.onEmergencyModeChange}. */
export interface EmergencyModeChange {
  readonly emergencyMode: boolean;
  readonly systemHealthScore: number;
}

const schema: Schema<CascadePreventionConfig> = {
  anomaly: rules.object('AnomalyDetectorConfig options'),
  propagation: rules.object('ErrorPropagationTrackerConfig options'),
  consensus: rules.object('ConsensusValidatorConfig options'),
  circuitBreaker: rules.object('CircuitBreakerConfig options'),
  defaultTimeoutMs: rules.duration(1, { infinite: true }),
  anomalyRejectionScore: rules.either(rules.number(Number.MIN_VALUE, 1), rules.oneOf(false)),
  anomalyCooldownMs: rules.duration(0),
  emergencyThreshold: rules.fraction,
  emergencyExitThreshold: rules.fraction,
  monitorIntervalMs: rules.duration(1),
  clock: rules.clock,
};

const callTimeoutRule = rules.duration(1, { infinite: true });
const callSchema: Schema<ProtectedCallOptions> = { timeoutMs: callTimeoutRule };
const NO_OPTIONS: ProtectedCallOptions = Object.freeze({});

/** The metric `protectedCall` records for every answered call. */
export const RESPONSE_TIME_METRIC = 'responseTimeMs';

/**
 * Keeps one actor's failures from taking down the actors that depend on it. Calls made
 * with {@link protectedCall} go through a per-actor circuit breaker and a timeout, are
 * refused at once while the actor is quarantined (or, when `anomalyRejectionScore` is
 * set, behaves anomalously), and feed the actor's response times to an anomaly detector.
 * Once started, every failure a supervisor handles is tracked, so the actors that keep
 * failing, or start cascades, are quarantined.
 *
 * The health score is the mean over the actors the system knows (those with a breaker,
 * metrics, or a recent failure) of each actor's health: 0 while quarantined, otherwise the
 * lowest of its breaker (1 closed, 0.5 half-open, 0 open), 0.5 while infected, and
 * `1 − anomalyScore / 2` (an anomalous actor is at worst half healthy, like an infected
 * one). With no actors known it is 1. Below `emergencyThreshold` the system is in
 * emergency mode until the score recovers to `emergencyExitThreshold`.
 *
 * @example
 * const cascade = new CascadePreventionSystem(system, collector);
 * cascade.start();
 * const stock = await cascade.protectedCall(inventory, 'stock', { sku: 'a-1' }, { timeoutMs: 500 });
 * cascade.stop();
 * @throws TypeError or RangeError naming the option when an option is invalid.
 */
export class CascadePreventionSystem {
  /** Response-time anomalies of every actor called through {@link protectedCall}. */
  readonly anomalyDetector: AnomalyDetector;
  /** Failures, their propagation, and quarantines. */
  readonly propagationTracker: ErrorPropagationTracker;
  readonly consensusValidator: ConsensusValidator;
  /** This system's own breakers, one per actor (not the process-wide registry). */
  readonly circuitBreakers: CircuitBreakerRegistry;
  readonly #system: CascadeActorSystem;
  readonly #sink: CascadeEventSink | undefined;
  readonly #clock: Clock;
  readonly #defaultTimeoutMs: number;
  readonly #rejectionScore: number | false;
  readonly #anomalyCooldownMs: number;
  readonly #emergencyThreshold: number;
  readonly #emergencyExitThreshold: number;
  readonly #monitorIntervalMs: number;
  readonly #anomalyHolds = new Map<string, number>();
  readonly #emergencyChanges = new EventEmitter<EmergencyModeChange>();
  #emergency = false;
  #subscriptions: Disposable[] = [];
  #timer: unknown;
  #running = false;

  /**
   * @param system - the actor system whose actors are protected.
   * @param collector - where to report quarantines, breaker changes, consensus failures and emergency mode.
   */
  constructor(
    system: CascadeActorSystem,
    collector?: CascadeEventSink,
    config: CascadePreventionConfig = {},
  ) {
    if (typeof system !== 'object' || system === null || typeof system.onFailure !== 'function') {
      throw new TypeError('CascadePreventionSystem needs an ActorSystem');
    }
    if (collector !== undefined && typeof collector.recordSystemEvent !== 'function') {
      throw new TypeError(
        'CascadePreventionSystem collector must have a recordSystemEvent(eventType, eventData) method',
      );
    }
    validateConfig<CascadePreventionConfig>('CascadePreventionConfig', config, schema);
    this.#emergencyThreshold = config.emergencyThreshold ?? 0.3;
    this.#emergencyExitThreshold = config.emergencyExitThreshold ?? Math.max(0.5, this.#emergencyThreshold);
    if (this.#emergencyExitThreshold < this.#emergencyThreshold) {
      throw new RangeError(
        `CascadePreventionConfig.emergencyExitThreshold must be at least emergencyThreshold (${this.#emergencyThreshold}), received ${this.#emergencyExitThreshold}`,
      );
    }
    this.#system = system;
    this.#sink = collector;
    this.#clock = config.clock ?? system.clock;
    this.#defaultTimeoutMs = config.defaultTimeoutMs ?? 30_000;
    this.#rejectionScore = config.anomalyRejectionScore ?? false;
    this.#anomalyCooldownMs = config.anomalyCooldownMs ?? 5000;
    this.#monitorIntervalMs = config.monitorIntervalMs ?? 5000;
    this.anomalyDetector = new AnomalyDetector({ minStdDev: 1, ...config.anomaly });
    this.propagationTracker = new ErrorPropagationTracker({ clock: this.#clock, ...config.propagation });
    this.consensusValidator = new ConsensusValidator(config.consensus);
    this.circuitBreakers = new CircuitBreakerRegistry({ clock: this.#clock, ...config.circuitBreaker });
    this.propagationTracker.onQuarantine((quarantine) => this.#onQuarantine(quarantine));
  }

  /** Whether {@link start} was called and {@link stop} was not since. */
  get running(): boolean {
    return this.#running;
  }

  /** Fires when the system enters or leaves emergency mode. */
  readonly onEmergencyModeChange: Event<EmergencyModeChange> = (listener) =>
    this.#emergencyChanges.subscribe(listener);

  /**
   * Starts tracking every failure the actor system's supervisors handle and re-evaluating
   * health every `monitorIntervalMs` (on an unref'd timer). Idempotent.
   */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#subscriptions = [
      this.#system.onFailure((failure) => {
        this.reportFailure({
          actorId: failure.actorId,
          failureType: isHandlerTimeoutError(failure.error) ? FailureType.TIMEOUT : FailureType.ERROR,
          error: failure.error,
          timestamp: failure.time,
        });
      }),
    ];
    this.#schedule();
    this.#report('cascade_prevention_started', { systemHealthScore: this.systemHealthScore });
  }

  /** Stops tracking supervisor failures and clears the monitor timer. Idempotent. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    for (const subscription of this.#subscriptions) subscription.dispose();
    this.#subscriptions = [];
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#report('cascade_prevention_stopped', {});
  }

  /**
   * The actor's circuit breaker, named after the actor, created with `config` (over the
   * system's `circuitBreaker` defaults) on first use.
   */
  getOrCreateCircuitBreaker(actorId: string, config?: CircuitBreakerConfig): CircuitBreaker {
    const existing = this.circuitBreakers.get(actorId);
    if (existing !== undefined) return existing;
    const breaker = this.circuitBreakers.getOrCreate(actorId, config);
    breaker.onStateChange((change) => {
      this.#report('circuit_state_changed', {
        actorId,
        from: change.from,
        to: change.to,
        reason: change.reason,
      });
      this.#evaluate();
    });
    return breaker;
  }

  /**
   * Asks an actor through its breaker, with a timeout. Rejects at once with
   * `ActorQuarantinedError` while the actor is quarantined, with `AnomalyDetectedError`
   * while its anomaly score is at or above `anomalyRejectionScore` when that is set (above
   * 0.5 in emergency mode; one probe call per `anomalyCooldownMs` still goes through), and with
   * `CircuitBreakerOpenError` while its breaker is open. A timeout (`AskTimeoutError`) is
   * tracked as a failure; so are the call's other errors until {@link start} is called,
   * after which the actor's failures are tracked through its supervisor.
   */
  protectedCall<R = unknown>(
    ref: ActorRefLike,
    type: string,
    payload?: unknown,
    options: ProtectedCallOptions = NO_OPTIONS,
  ): Promise<R> {
    // A full check only when the one option is absent or wrong: a misspelt key leaves it absent.
    if (options !== NO_OPTIONS && !callTimeoutRule.test(options.timeoutMs)) {
      validateConfig<ProtectedCallOptions>('ProtectedCallOptions', options, callSchema);
    }
    const actorId = ref.actorId;
    const quarantine = this.propagationTracker.getQuarantine(actorId);
    if (quarantine !== undefined) {
      const retryAfterMs = Math.max(0, quarantine.until - this.#clock.now());
      return Promise.reject(
        withoutStackTrace(() => new ActorQuarantinedError(actorId, retryAfterMs, quarantine.reason)),
      );
    }
    const refusal = this.#anomalyRefusal(actorId);
    if (refusal !== undefined) return Promise.reject(refusal);
    const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
    const breaker = this.getOrCreateCircuitBreaker(actorId);
    return breaker.execute(async () => {
      const start = this.#clock.now();
      try {
        const answer = await ref.ask<R>(type, payload, { timeoutMs });
        this.anomalyDetector.recordMetric(actorId, RESPONSE_TIME_METRIC, this.#clock.now() - start);
        return answer;
      } catch (error) {
        // While started, the actor's own failures arrive through its supervisor; reporting
        // them here as well would count them twice. Timeouts never reach a supervisor.
        if (isAskTimeoutError(error)) {
          this.reportFailure({ actorId, failureType: FailureType.TIMEOUT, error });
        } else if (!this.#running) {
          this.reportFailure({ actorId, error });
        }
        throw error;
      }
    });
  }

  /**
   * Asks every actor that is not quarantined and resolves with `[agreed, value]` (see
   * `ConsensusValidator`). Actors that answered something other than the agreed value are
   * tracked with a `CONSENSUS_FAILURE`, actors that timed out with a `TIMEOUT`.
   */
  async validateWithConsensus<T = unknown>(
    refs: readonly ActorRefLike[],
    query: ConsensusQuery,
    options?: ConsensusOptions,
  ): Promise<[agreed: boolean, value: T | undefined]> {
    const eligible = refs.filter((ref) => !this.propagationTracker.isQuarantined(ref.actorId));
    const outcome = await this.consensusValidator.evaluateConsensus<T>(eligible, query, options);
    for (const vote of outcome.votes) {
      if (!vote.answered && isAskTimeoutError(vote.error)) {
        this.reportFailure({ actorId: vote.actorId, failureType: FailureType.TIMEOUT, error: vote.error });
      }
    }
    if (outcome.agreed) {
      for (const actorId of outcome.dissenting) {
        this.reportFailure({
          actorId,
          failureType: FailureType.CONSENSUS_FAILURE,
          errorMessage: 'answered differently from the agreed value',
        });
      }
    } else {
      this.#report('consensus_failed', {
        actors: eligible.map((ref) => ref.actorId),
        answered: outcome.answered,
        agreement: outcome.agreement,
      });
    }
    return [outcome.agreed, outcome.value];
  }

  /** Tracks a failure (see `ErrorPropagationTracker.recordFailure`) and re-evaluates health. */
  reportFailure(record: CascadeFailureRecord): TrackedFailure {
    const failure = this.propagationTracker.recordFailure(record);
    this.#evaluate();
    return failure;
  }

  /** Every known actor with its breaker, quarantine, infection and anomaly, and the propagation analysis. */
  getSystemStatus(): CascadeSystemStatus {
    const actors = this.#actorStatuses();
    return {
      running: this.#running,
      emergencyMode: this.#evaluate(actors),
      healthScore: healthOf(actors),
      actors,
      quarantinedActors: actors.filter((actor) => actor.quarantined).map((actor) => actor.actorId),
      infectedActors: actors.filter((actor) => actor.infected).map((actor) => actor.actorId),
      openCircuits: actors
        .filter((actor) => actor.circuitState !== undefined && breakerHealth(actor.circuitState) < 1)
        .map((actor) => actor.actorId),
      propagation: this.propagationTracker.analyzePropagationPatterns(),
    };
  }

  /** The system's health now, 0..1 (see the class description). */
  get systemHealthScore(): number {
    return healthOf(this.#actorStatuses());
  }

  /** Whether the health score fell below `emergencyThreshold` and has not recovered yet. */
  get emergencyMode(): boolean {
    return this.#evaluate();
  }

  #actorStatuses(): CascadeActorStatus[] {
    const tracker = this.propagationTracker;
    const ids = new Set<string>();
    for (const breaker of this.circuitBreakers.all()) ids.add(breaker.name);
    for (const actorId of this.anomalyDetector.actorIds()) ids.add(actorId);
    for (const actorId of tracker.infectedActors()) ids.add(actorId);
    const statuses: CascadeActorStatus[] = [];
    for (const actorId of ids) {
      const circuitState = this.circuitBreakers.get(actorId)?.state;
      const quarantined = tracker.isQuarantined(actorId);
      const infected = tracker.isActorInfected(actorId);
      const anomalyScore = this.anomalyDetector.getAnomalyScore(actorId);
      const health = quarantined
        ? 0
        : Math.min(
            circuitState === undefined ? 1 : breakerHealth(circuitState),
            1 - anomalyScore / 2,
            infected ? 0.5 : 1,
          );
      statuses.push({ actorId, circuitState, quarantined, infected, anomalyScore, health });
    }
    return statuses;
  }

  /** Updates emergency mode from the health score, with hysteresis; returns it. */
  #evaluate(actors: readonly CascadeActorStatus[] = this.#actorStatuses()): boolean {
    const score = healthOf(actors);
    const next = this.#emergency ? score < this.#emergencyExitThreshold : score < this.#emergencyThreshold;
    if (next !== this.#emergency) {
      this.#emergency = next;
      const change: EmergencyModeChange = { emergencyMode: next, systemHealthScore: score };
      this.#report(next ? 'emergency_mode_entered' : 'emergency_mode_exited', { ...change });
      this.#emergencyChanges.emit(change);
    }
    return this.#emergency;
  }

  #anomalyRefusal(actorId: string): AnomalyDetectedError | undefined {
    if (this.#rejectionScore === false) return undefined;
    const score = this.anomalyDetector.getAnomalyScore(actorId);
    const refuses = score >= this.#rejectionScore || (this.#emergency && score > 0.5);
    if (!refuses) {
      this.#anomalyHolds.delete(actorId);
      return undefined;
    }
    const now = this.#clock.now();
    const heldUntil = this.#anomalyHolds.get(actorId);
    if (heldUntil !== undefined && now >= heldUntil) {
      // The hold is over: let this call through as a probe and hold again behind it.
      this.#anomalyHolds.set(actorId, now + this.#anomalyCooldownMs);
      return undefined;
    }
    if (heldUntil === undefined) this.#anomalyHolds.set(actorId, now + this.#anomalyCooldownMs);
    return withoutStackTrace(
      () => new AnomalyDetectedError(actorId, score, this.anomalyDetector.detectAnomalies(actorId)),
    );
  }

  #onQuarantine(quarantine: QuarantineInfo): void {
    this.#report('actor_quarantined', {
      actorId: quarantine.actorId,
      reason: quarantine.reason,
      until: quarantine.until,
      count: quarantine.count,
    });
    this.#evaluate();
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimeout(() => {
      if (!this.#running) return;
      this.#evaluate();
      this.#schedule();
    }, this.#monitorIntervalMs);
  }

  #report(eventType: string, eventData: Record<string, unknown>): void {
    if (this.#sink === undefined) return;
    try {
      this.#sink.recordSystemEvent(eventType, eventData);
    } catch (error) {
      process.emitWarning(error instanceof Error ? error : String(error), {
        type: 'BulwarkCollectorError',
        detail: 'The collector threw while recording a cascade-prevention event; the error was isolated.',
      });
    }
  }
}

function breakerHealth(state: CircuitState): number {
  if (state === CircuitState.OPEN || state === CircuitState.FORCED_OPEN) return 0;
  return state === CircuitState.HALF_OPEN ? 0.5 : 1;
}

function healthOf(actors: readonly CascadeActorStatus[]): number {
  if (actors.length === 0) return 1;
  let sum = 0;
  for (const actor of actors) sum += actor.health;
  return sum / actors.length;
}
