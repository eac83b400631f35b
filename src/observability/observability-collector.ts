import { randomUUID } from 'node:crypto';
import {
  type Clock,
  type Disposable,
  type Event,
  EventEmitter,
  rules,
  type Schema,
  systemClock,
  type TimerHandle,
  toDisposable,
  validateConfig,
} from '../core/index.js';
import type { ActorSystem } from '../supervision/index.js';
import { observeMessages } from '../supervision/index.js';
import { ObservabilityLevel, SystemHealth } from './levels.js';
import {
  cascadeDetector,
  failedActorOf,
  hotspotDetector,
  type ObservationWindow,
  type PatternCandidate,
  type PatternDetector,
} from './pattern-detectors.js';
import type {
  ActorSnapshot,
  ActorSnapshotInput,
  EmergentPattern,
  MessageFlow,
  MessageFlowInput,
  SystemEvent,
} from './records.js';
import { RingBuffer } from './ring-buffer.js';
import { currentSender } from './sender-context.js';
import { estimateSize } from './size.js';

/** Options of {@link ObservabilityCollector}. */
export interface ObservabilityCollectorConfig {
  /** How long records are kept; older ones are pruned at every aggregation. @default 3600000 */
  retentionPeriodMs?: number | undefined;
  /** How often, once started, records are pruned and pattern detectors run. @default 5000 */
  aggregationIntervalMs?: number | undefined;
  /** How much is recorded. @default ObservabilityLevel.DETAILED */
  level?: ObservabilityLevel | undefined;
  /** The source of time. @default systemClock */
  clock?: Clock | undefined;
  /** Snapshots kept per actor (a ring buffer). @default 720 */
  maxSnapshotsPerActor?: number | undefined;
  /** Message flows kept (a ring buffer). @default 10000 */
  maxMessageFlows?: number | undefined;
  /** System events kept (a ring buffer). @default 1000 */
  maxSystemEvents?: number | undefined;
  /** A hotspot handles at least this many times the others' mean message rate. @default 3 */
  hotspotFactor?: number | undefined;
  /** The least message rate, per second, that can be a hotspot. @default 1 */
  hotspotMinRate?: number | undefined;
  /** Linked failures this close in time belong to one cascade. @default 10000 */
  cascadeWindowMs?: number | undefined;
  /** The least number of failed actors that makes a cascade. @default 2 */
  cascadeMinActors?: number | undefined;
}

const schema: Schema<ObservabilityCollectorConfig> = {
  retentionPeriodMs: rules.duration(1, { infinite: true }),
  aggregationIntervalMs: rules.duration(1),
  level: rules.oneOf(...Object.values(ObservabilityLevel)),
  clock: rules.clock,
  maxSnapshotsPerActor: rules.integer(1),
  maxMessageFlows: rules.integer(1),
  maxSystemEvents: rules.integer(1),
  hotspotFactor: rules.number(1),
  hotspotMinRate: rules.number(0),
  cascadeWindowMs: rules.duration(1),
  cascadeMinActors: rules.integer(2),
};

/** What {@link ObservabilityCollector.getSystemOverview} reports. */
export interface SystemOverview {
  readonly timestamp: number;
  readonly health: SystemHealth;
  readonly level: ObservabilityLevel;
  /** Actors with a retained snapshot. */
  readonly actorCount: number;
  /** The sum of the actors' newest message rates, per second. */
  readonly totalMessageRate: number;
  /** The mean of the actors' newest error rates, 0..1. */
  readonly averageErrorRate: number;
  /** Messages waiting in all observed mailboxes. */
  readonly totalMailboxSize: number;
  /** Retained message flows. */
  readonly messageFlowCount: number;
  /** Retained system events. */
  readonly systemEventCount: number;
  /** Patterns observed within the last two aggregation intervals (or the cascade window). */
  readonly activePatterns: readonly EmergentPattern[];
  /** The newest snapshot of each actor. */
  readonly actors: readonly ActorSnapshot[];
}

const ACTIVE_INTERVALS = 2;

/**
 * Collects actor snapshots, message flows and system events with bounded memory (ring
 * buffers, pruned by age), and runs pattern detectors over them. Once started, every
 * `aggregationIntervalMs` it prunes records older than `retentionPeriodMs` and runs the
 * detectors: the built-in `hotspot` and `cascade` ones and any registered.
 *
 * @example
 * const collector = new ObservabilityCollector({ aggregationIntervalMs: 1000 });
 * collector.start();
 * collector.onPattern((pattern) => console.log(pattern.description));
 * collector.recordActorSnapshot({ actorId: 'orders', messageRate: 120 });
 * collector.stop();
 * @throws TypeError or RangeError naming the option when an option is invalid.
 */
export class ObservabilityCollector {
  readonly retentionPeriodMs: number;
  readonly aggregationIntervalMs: number;
  readonly level: ObservabilityLevel;
  readonly clock: Clock;
  readonly #maxSnapshotsPerActor: number;
  readonly #snapshots = new Map<string, RingBuffer<ActorSnapshot>>();
  readonly #flows: RingBuffer<MessageFlow>;
  readonly #events: RingBuffer<SystemEvent>;
  readonly #partners = new Map<string, Map<string, number>>();
  readonly #patterns = new Map<string, EmergentPattern>();
  readonly #detectors: PatternDetector[];
  readonly #cascadeWindowMs: number;
  readonly #patternEmitter = new EventEmitter<EmergentPattern>();
  readonly #observedActors = new Set<string>();
  readonly #systems = new WeakMap<object, Disposable>();
  #timer: TimerHandle | undefined;
  #running = false;
  #flowSequence = 0;
  #flowPrefix: string | undefined;

  constructor(config: ObservabilityCollectorConfig = {}) {
    validateConfig<ObservabilityCollectorConfig>('ObservabilityCollectorConfig', config, schema);
    this.retentionPeriodMs = config.retentionPeriodMs ?? 3_600_000;
    this.aggregationIntervalMs = config.aggregationIntervalMs ?? 5000;
    this.level = config.level ?? ObservabilityLevel.DETAILED;
    this.clock = config.clock ?? systemClock;
    this.#maxSnapshotsPerActor = config.maxSnapshotsPerActor ?? 720;
    this.#flows = new RingBuffer(config.maxMessageFlows ?? 10_000);
    this.#events = new RingBuffer(config.maxSystemEvents ?? 1000);
    this.#cascadeWindowMs = config.cascadeWindowMs ?? 10_000;
    this.#detectors = [
      hotspotDetector({ factor: config.hotspotFactor ?? 3, minRate: config.hotspotMinRate ?? 1 }),
      cascadeDetector({ windowMs: this.#cascadeWindowMs, minActors: config.cascadeMinActors ?? 2 }),
    ];
  }

  /** Whether the aggregation timer runs. */
  get isRunning(): boolean {
    return this.#running;
  }

  /** Starts pruning and pattern detection every `aggregationIntervalMs`. Idempotent. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  /** Stops the aggregation timer; records are kept. Idempotent. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) {
      this.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #schedule(): void {
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      if (!this.#running) return;
      this.aggregate();
      if (this.#running) this.#schedule();
    }, this.aggregationIntervalMs);
  }

  /** Records a snapshot of an actor; fields left out take neutral defaults and the time is now. */
  recordActorSnapshot(snapshot: ActorSnapshotInput): void {
    if (typeof snapshot?.actorId !== 'string') {
      throw new TypeError('recordActorSnapshot(snapshot): snapshot.actorId must be a string');
    }
    const full: ActorSnapshot = {
      actorId: snapshot.actorId,
      timestamp: snapshot.timestamp ?? this.clock.now(),
      state: snapshot.state ?? 'running',
      mailboxSize: snapshot.mailboxSize ?? 0,
      messageRate: snapshot.messageRate ?? 0,
      errorRate: snapshot.errorRate ?? 0,
      memoryUsage: snapshot.memoryUsage ?? 0,
      customMetrics: snapshot.customMetrics ?? {},
      relationships: snapshot.relationships ?? this.relationshipsOf(snapshot.actorId),
    };
    let buffer = this.#snapshots.get(full.actorId);
    if (buffer === undefined)
      this.#snapshots.set(full.actorId, (buffer = new RingBuffer(this.#maxSnapshotsPerActor)));
    buffer.push(full);
  }

  /** Records one message between two actors; the time defaults to now and the correlation id to a fresh one. */
  recordMessageFlow(flow: MessageFlowInput): void {
    if (
      typeof flow?.source !== 'string' ||
      typeof flow.destination !== 'string' ||
      typeof flow.messageType !== 'string'
    ) {
      throw new TypeError('recordMessageFlow(flow): source, destination and messageType must be strings');
    }
    const timestamp = flow.timestamp ?? this.clock.now();
    this.#flows.push({
      source: flow.source,
      destination: flow.destination,
      messageType: flow.messageType,
      timestamp,
      correlationId: flow.correlationId ?? this.#nextCorrelationId(),
      latencyMs: flow.latencyMs,
      payloadSize: flow.payloadSize ?? 0,
    });
    let partners = this.#partners.get(flow.source);
    if (partners === undefined) this.#partners.set(flow.source, (partners = new Map()));
    partners.set(flow.destination, timestamp);
  }

  #nextCorrelationId(): string {
    // One random prefix per collector, then a counter: unique without a UUID per message.
    this.#flowPrefix ??= randomUUID().slice(0, 8);
    return `${this.#flowPrefix}-${(++this.#flowSequence).toString(36)}`;
  }

  /** Records something that happened; an event whose type mentions a failure and names `actorId` feeds cascade detection. */
  recordSystemEvent(eventType: string, eventData: Record<string, unknown> = {}): void {
    if (typeof eventType !== 'string' || eventType.length === 0) {
      throw new TypeError('recordSystemEvent(eventType, eventData): eventType must be a non-empty string');
    }
    this.#events.push({ eventType, timestamp: this.clock.now(), data: eventData });
  }

  /** Adds a detector run at every aggregation; dispose the result to remove it. */
  registerPatternDetector(detector: PatternDetector): Disposable {
    if (typeof detector !== 'function') {
      throw new TypeError('registerPatternDetector(detector): detector must be a function');
    }
    this.#detectors.push(detector);
    return toDisposable(() => {
      const index = this.#detectors.indexOf(detector);
      if (index >= 0) this.#detectors.splice(index, 1);
    });
  }

  /** Each pattern found by a detection round, new or seen again. */
  readonly onPattern: Event<EmergentPattern> = (listener) => this.#patternEmitter.subscribe(listener);

  /**
   * Records the message flow of an actor system (at `DETAILED` level and above: messages to
   * or from `@observable` actors) and its supervised failures as `actor_failed` events.
   * Called by `@observable` actors on start; idempotent per system.
   */
  observeSystem(system: ActorSystem): Disposable {
    const existing = this.#systems.get(system);
    if (existing !== undefined) return existing;
    const subscriptions: Disposable[] = [
      system.onFailure((failure) =>
        this.recordSystemEvent('actor_failed', {
          actorId: failure.actorId,
          errorType: failure.errorType,
          directive: failure.directive,
          supervisorId: failure.supervisorId,
        }),
      ),
    ];
    if (this.level !== ObservabilityLevel.BASIC) {
      const measure = this.level === ObservabilityLevel.FULL || this.level === ObservabilityLevel.INTERACTIVE;
      subscriptions.push(
        observeMessages(system, ({ actorId, type, payload }) => {
          const source = currentSender();
          if (!this.#observedActors.has(actorId) && !this.#observedActors.has(source)) return;
          this.recordMessageFlow({
            source,
            destination: actorId,
            messageType: type,
            payloadSize: measure ? estimateSize(payload) : 0,
          });
        }),
      );
    }
    const handle = toDisposable(() => {
      this.#systems.delete(system);
      for (const subscription of subscriptions) subscription.dispose();
    });
    this.#systems.set(system, handle);
    return handle;
  }

  /**
   * Marks an actor as observed, so its message flow is recorded by {@link observeSystem};
   * dispose the result when the actor stops for good.
   */
  observeActor(actorId: string): Disposable {
    this.#observedActors.add(actorId);
    return toDisposable(() => this.#observedActors.delete(actorId));
  }

  /** Prunes records older than the retention period and runs every pattern detector once. */
  aggregate(): EmergentPattern[] {
    const now = this.clock.now();
    this.#prune(now - this.retentionPeriodMs);
    return this.detectPatterns(now);
  }

  /** Runs every pattern detector once over what is retained; returns what they found. */
  detectPatterns(now: number = this.clock.now()): EmergentPattern[] {
    const window: ObservationWindow = {
      now,
      intervalMs: this.aggregationIntervalMs,
      snapshots: this.getLatestSnapshots(),
      flows: this.getMessageFlows(),
      events: this.getSystemEvents(),
    };
    const found: EmergentPattern[] = [];
    for (const detector of [...this.#detectors]) {
      let candidates: readonly PatternCandidate[];
      try {
        candidates = detector(window);
      } catch (error) {
        process.emitWarning(error instanceof Error ? error : String(error), {
          type: 'BulwarkPatternDetectorError',
          detail: 'A pattern detector threw; the other detectors still ran.',
        });
        continue;
      }
      for (const candidate of candidates) {
        const patternId = `${candidate.patternType}:${candidate.involvedActors.join(',')}`;
        const previous = this.#patterns.get(patternId);
        const pattern: EmergentPattern = {
          patternId,
          patternType: candidate.patternType,
          involvedActors: [...candidate.involvedActors],
          confidence: Math.min(1, Math.max(0, candidate.confidence)),
          description: candidate.description,
          firstDetected: previous?.firstDetected ?? now,
          lastObserved: now,
          occurrenceCount: (previous?.occurrenceCount ?? 0) + 1,
        };
        this.#patterns.set(patternId, pattern);
        found.push(pattern);
        if (this.#patternEmitter.hasListeners) this.#patternEmitter.emit(pattern);
      }
    }
    return found;
  }

  #prune(cutoff: number): void {
    const expired = (record: { timestamp: number }): boolean => record.timestamp < cutoff;
    for (const [actorId, buffer] of this.#snapshots) {
      buffer.dropWhile(expired);
      if (buffer.size === 0) this.#snapshots.delete(actorId);
    }
    this.#flows.dropWhile(expired);
    this.#events.dropWhile(expired);
    for (const [source, partners] of this.#partners) {
      for (const [destination, lastSeen] of partners) if (lastSeen < cutoff) partners.delete(destination);
      if (partners.size === 0) this.#partners.delete(source);
    }
    for (const [patternId, pattern] of this.#patterns) {
      if (pattern.lastObserved < cutoff) this.#patterns.delete(patternId);
    }
  }

  /** The newest retained snapshot of each actor. */
  getLatestSnapshots(): Map<string, ActorSnapshot> {
    const latest = new Map<string, ActorSnapshot>();
    for (const [actorId, buffer] of this.#snapshots) latest.set(actorId, buffer.last()!);
    return latest;
  }

  /** An actor's retained snapshots taken at or after `since`, oldest first. */
  getActorSnapshots(actorId: string, since = Number.NEGATIVE_INFINITY): ActorSnapshot[] {
    return this.#snapshots.get(actorId)?.filter((snapshot) => snapshot.timestamp >= since) ?? [];
  }

  /** Retained message flows recorded at or after `since`, oldest first. */
  getMessageFlows(since = Number.NEGATIVE_INFINITY): MessageFlow[] {
    return this.#flows.filter((flow) => flow.timestamp >= since);
  }

  /** Retained system events recorded at or after `since`, oldest first. */
  getSystemEvents(since = Number.NEGATIVE_INFINITY): SystemEvent[] {
    return this.#events.filter((event) => event.timestamp >= since);
  }

  /** Every retained pattern, most recently observed first. */
  getPatterns(): EmergentPattern[] {
    return [...this.#patterns.values()].sort((a, b) => b.lastObserved - a.lastObserved);
  }

  /** Patterns observed recently enough to describe the system now. */
  getActivePatterns(now: number = this.clock.now()): EmergentPattern[] {
    return this.getPatterns().filter(
      (pattern) =>
        pattern.lastObserved >=
        now -
          (pattern.patternType === 'cascade'
            ? Math.max(this.#cascadeWindowMs, ACTIVE_INTERVALS * this.aggregationIntervalMs)
            : ACTIVE_INTERVALS * this.aggregationIntervalMs),
    );
  }

  /** The ids an actor has sent messages to within the retention period. */
  relationshipsOf(actorId: string): string[] {
    const partners = this.#partners.get(actorId);
    return partners === undefined ? [] : [...partners.keys()];
  }

  /** The system as a whole: health, rates, active patterns and the newest snapshot of each actor. */
  getSystemOverview(): SystemOverview {
    const now = this.clock.now();
    const actors = [...this.getLatestSnapshots().values()];
    let totalMessageRate = 0;
    let errorSum = 0;
    let totalMailboxSize = 0;
    for (const snapshot of actors) {
      totalMessageRate += snapshot.messageRate;
      errorSum += snapshot.errorRate;
      totalMailboxSize += snapshot.mailboxSize;
    }
    const averageErrorRate = actors.length === 0 ? 0 : errorSum / actors.length;
    const activePatterns = this.getActivePatterns(now);
    const recentFailures = this.#events.filter(
      (event) => event.timestamp >= now - this.#cascadeWindowMs && failedActorOf(event) !== undefined,
    ).length;
    return {
      timestamp: now,
      health: healthOf(actors.length, averageErrorRate, activePatterns, recentFailures),
      level: this.level,
      actorCount: actors.length,
      totalMessageRate,
      averageErrorRate,
      totalMailboxSize,
      messageFlowCount: this.#flows.size,
      systemEventCount: this.#events.size,
      activePatterns,
      actors,
    };
  }
}

function healthOf(
  actorCount: number,
  averageErrorRate: number,
  activePatterns: readonly EmergentPattern[],
  recentFailures: number,
): SystemHealth {
  if (actorCount === 0 && activePatterns.length === 0 && recentFailures === 0) return SystemHealth.UNKNOWN;
  if (averageErrorRate > 0.5 || activePatterns.some((pattern) => pattern.patternType === 'cascade')) {
    return SystemHealth.CRITICAL;
  }
  if (averageErrorRate > 0.1 || activePatterns.length > 0 || recentFailures > 0) return SystemHealth.DEGRADED;
  return SystemHealth.HEALTHY;
}
