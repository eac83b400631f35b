import { FailureType } from '../circuit-breaker/index.js';
import {
  type Clock,
  type Event,
  EventEmitter,
  rules,
  type Schema,
  systemClock,
  validateConfig,
} from '../core/index.js';

/** Options of an {@link ErrorPropagationTracker}. */
export interface ErrorPropagationTrackerConfig {
  /**
   * How many hops a failure may travel from its origin. A failure that arrives deeper
   * quarantines the origin, and pattern analysis follows the graph no further.
   * @default 5
   */
  maxPropagationDepth?: number | undefined;
  /**
   * How long a failure counts: an actor with a failure this recent is infected, and
   * failures in this window add up towards `quarantineThreshold`.
   * @default 60000
   */
  failureWindowMs?: number | undefined;
  /**
   * Failures of one actor, weighted by severity, within `failureWindowMs` that quarantine it.
   * @default 5
   */
  quarantineThreshold?: number | undefined;
  /**
   * How long a first quarantine lasts; the n-th lasts n times as long, up to
   * `maxQuarantineDurationMs`. `Infinity` keeps actors quarantined until released.
   * @default 30000
   */
  quarantineDurationMs?: number | undefined;
  /**
   * The longest automatic quarantine. An actor whose last quarantine ended longer ago than
   * this starts again from `quarantineDurationMs`.
   * @default 300000
   */
  maxQuarantineDurationMs?: number | undefined;
  /**
   * How many failures the history keeps for analysis.
   * @default 1000
   */
  maxHistory?: number | undefined;
  /** The source of time for windows and quarantine expiry. @default systemClock */
  clock?: Clock | undefined;
}

/** A failure of one actor, as given to {@link ErrorPropagationTracker.recordFailure}. */
export interface CascadeFailureRecord {
  /** The actor that failed. */
  readonly actorId: string;
  /** @default FailureType.ERROR */
  readonly failureType?: FailureType | undefined;
  /** @default the error's message, or '' */
  readonly errorMessage?: string | undefined;
  /**
   * The thrown value. When an actor fails with an error recorded for another actor (the
   * same object, or one whose `cause` chain holds it), the failure counts as propagated
   * from that actor and `propagationPath` is filled in.
   */
  readonly error?: unknown;
  /** When it failed. @default the clock's now */
  readonly timestamp?: number | undefined;
  /** Ties the failures of one request together. */
  readonly correlationId?: string | undefined;
  /** The actors the failure passed through before this one, origin first. @default derived from `error`, else [] */
  readonly propagationPath?: readonly string[] | undefined;
  /** How bad the failure is, 0..1; failures add up by severity. @default 1 */
  readonly severity?: number | undefined;
}

/** A failure as the tracker keeps it. */
export interface TrackedFailure {
  readonly actorId: string;
  readonly failureType: FailureType;
  readonly errorMessage: string;
  readonly timestamp: number;
  readonly correlationId: string | undefined;
  readonly propagationPath: readonly string[];
  readonly severity: number;
  /** Hops from the origin: `propagationPath.length`. */
  readonly depth: number;
}

/** A quarantined actor. */
export interface QuarantineInfo {
  readonly actorId: string;
  readonly reason: string;
  /** When the quarantine began. */
  readonly since: number;
  /** When it ends; `Infinity` until released by hand. */
  readonly until: number;
  /** How many times the actor has been quarantined in a row (the n of the n-th quarantine). */
  readonly count: number;
}

/** Options of {@link ErrorPropagationTracker.quarantineActor}. */
export interface QuarantineOptions {
  /** How long the quarantine lasts; `Infinity` until released. @default as for automatic quarantines */
  readonly durationMs?: number | undefined;
  /** @default 'quarantined by hand' */
  readonly reason?: string | undefined;
}

/** One edge of the propagation graph: failures of `from` seen again in `to`. */
export interface PropagationEdge {
  readonly from: string;
  readonly to: string;
  readonly count: number;
  readonly lastSeen: number;
}

/** An actor whose failures spread, with how far. */
export interface PropagationSource {
  readonly actorId: string;
  /** Distinct actors reached within `maxPropagationDepth` hops. */
  readonly reach: number;
  /** The longest hop count to one of them. */
  readonly depth: number;
}

/** What {@link ErrorPropagationTracker.analyzePropagationPatterns} reports. */
export interface PropagationAnalysis {
  /** Failures in the history. */
  readonly totalFailures: number;
  /** Failures within `failureWindowMs`. */
  readonly recentFailures: number;
  readonly failuresByType: Readonly<Record<string, number>>;
  readonly infectedActors: readonly string[];
  readonly quarantinedActors: readonly string[];
  /** The deepest propagation in the history. */
  readonly maxDepth: number;
  readonly averageDepth: number;
  /** Edges seen within `failureWindowMs`, the most frequent first. */
  readonly edges: readonly PropagationEdge[];
  /** Actors whose failures spread within `failureWindowMs`, the widest reach first. */
  readonly sources: readonly PropagationSource[];
  /** Actors with the most failures in the window, at most 10, the most first. */
  readonly hotspots: readonly { readonly actorId: string; readonly failures: number }[];
}

const failureTypes = Object.values(FailureType);
const MAX_CAUSE_DEPTH = 16;

const schema: Schema<ErrorPropagationTrackerConfig> = {
  maxPropagationDepth: rules.integer(1),
  failureWindowMs: rules.duration(1, { infinite: true }),
  quarantineThreshold: rules.number(Number.MIN_VALUE),
  quarantineDurationMs: rules.duration(1, { infinite: true }),
  maxQuarantineDurationMs: rules.duration(1, { infinite: true }),
  maxHistory: rules.integer(1),
  clock: rules.clock,
};

const quarantineSchema: Schema<QuarantineOptions> = {
  durationMs: rules.duration(1, { infinite: true }),
  reason: rules.string,
};

interface ActorFailures {
  readonly times: number[];
  readonly severities: number[];
}

interface EdgeData {
  count: number;
  lastSeen: number;
}

/**
 * Follows how failures spread between actors: who failed, through whom, how deep. An
 * actor that failed or carried a failure recently is infected; an actor that keeps
 * failing, or the origin of a failure that travelled deeper than `maxPropagationDepth`, is
 * quarantined for a while (longer each time, as outlier ejection does), so callers can
 * stop sending it work.
 * Quarantines end lazily on the clock: the tracker holds no timers.
 *
 * @example
 * const tracker = new ErrorPropagationTracker({ maxPropagationDepth: 3 });
 * tracker.recordFailure({ actorId: 'orders', error, propagationPath: ['inventory'] });
 * tracker.isActorInfected('orders'); // true
 * tracker.quarantineActor('inventory', { durationMs: 10_000 });
 * @throws TypeError or RangeError naming the option when an option is invalid.
 */
export class ErrorPropagationTracker {
  /** How many hops a failure may travel before its origin is quarantined. */
  readonly maxPropagationDepth: number;
  readonly #windowMs: number;
  readonly #threshold: number;
  readonly #baseQuarantineMs: number;
  readonly #maxQuarantineMs: number;
  readonly #maxHistory: number;
  readonly #clock: Clock;
  readonly #history: TrackedFailure[] = [];
  readonly #actors = new Map<string, ActorFailures>();
  /** When each actor last failed or carried a failure. */
  readonly #involved = new Map<string, number>();
  readonly #edges = new Map<string, Map<string, EdgeData>>();
  readonly #quarantines = new Map<string, QuarantineInfo>();
  readonly #origins = new WeakMap<object, TrackedFailure>();
  readonly #quarantined = new EventEmitter<QuarantineInfo>();

  constructor(config: ErrorPropagationTrackerConfig = {}) {
    validateConfig<ErrorPropagationTrackerConfig>('ErrorPropagationTrackerConfig', config, schema);
    this.maxPropagationDepth = config.maxPropagationDepth ?? 5;
    this.#windowMs = config.failureWindowMs ?? 60_000;
    this.#threshold = config.quarantineThreshold ?? 5;
    this.#baseQuarantineMs = config.quarantineDurationMs ?? 30_000;
    this.#maxQuarantineMs = config.maxQuarantineDurationMs ?? 300_000;
    this.#maxHistory = config.maxHistory ?? 1000;
    this.#clock = config.clock ?? systemClock;
  }

  /** Fires when an actor is quarantined, automatically or by hand. */
  readonly onQuarantine: Event<QuarantineInfo> = (listener) => this.#quarantined.subscribe(listener);

  /**
   * Records a failure, links it to the failure it came from, and quarantines the actor
   * (too many failures) or the origin (propagated too deep) when a rule says so.
   * @throws TypeError or RangeError when a field of `record` is invalid.
   */
  recordFailure(record: CascadeFailureRecord): TrackedFailure {
    const failure = this.#normalise(record);
    if (isObject(record.error)) this.#origins.set(record.error, failure);
    this.#history.push(failure);
    if (this.#history.length > this.#maxHistory) this.#history.shift();

    const path = failure.propagationPath;
    for (const carrier of [...path, failure.actorId]) this.#markInvolved(carrier, failure.timestamp);
    if (path.length > 0) {
      for (let index = 0; index < path.length - 1; index++)
        this.#addEdge(path[index]!, path[index + 1]!, 0, failure.timestamp);
      this.#addEdge(path[path.length - 1]!, failure.actorId, 1, failure.timestamp);
    }

    const failures = this.#windowFor(failure.actorId, failure.timestamp);
    failures.times.push(failure.timestamp);
    failures.severities.push(failure.severity);
    if (failures.times.length > this.#maxHistory) {
      failures.times.shift();
      failures.severities.shift();
    }

    if (failure.depth > this.maxPropagationDepth) {
      this.#autoQuarantine(
        path[0]!,
        `a failure propagated ${failure.depth} hops, past the limit of ${this.maxPropagationDepth}`,
      );
    }
    let weighted = 0;
    for (const severity of failures.severities) weighted += severity;
    if (weighted >= this.#threshold) {
      const count = failures.times.length;
      this.#autoQuarantine(
        failure.actorId,
        `${count} failure${count === 1 ? '' : 's'} within ${this.#windowMs} ms`,
      );
    }
    return failure;
  }

  /**
   * Whether the actor failed, or carried a failure on its way (it is on a `propagationPath`),
   * within `failureWindowMs`; a quarantined actor is infected too.
   */
  isActorInfected(actorId: string): boolean {
    if (this.isQuarantined(actorId)) return true;
    const involved = this.#involved.get(actorId);
    return involved !== undefined && this.#clock.now() - involved < this.#windowMs;
  }

  /**
   * Quarantines an actor (again), from now. Without `durationMs` the n-th quarantine in a
   * row lasts `n × quarantineDurationMs`, up to `maxQuarantineDurationMs`.
   * @throws RangeError when `durationMs` is not a positive duration.
   */
  quarantineActor(actorId: string, options: QuarantineOptions = {}): QuarantineInfo {
    validateConfig<QuarantineOptions>('QuarantineOptions', options, quarantineSchema);
    const now = this.#clock.now();
    const previous = this.#quarantines.get(actorId);
    const stillCounting = previous !== undefined && now - previous.until < this.#maxQuarantineMs;
    const count = stillCounting ? previous.count + 1 : 1;
    const durationMs = options.durationMs ?? Math.min(this.#baseQuarantineMs * count, this.#maxQuarantineMs);
    const quarantine: QuarantineInfo = Object.freeze({
      actorId,
      reason: options.reason ?? 'quarantined by hand',
      since: now,
      until: now + durationMs,
      count,
    });
    this.#quarantines.set(actorId, quarantine);
    // A fresh start: after the quarantine the actor must fail anew to be quarantined again.
    const failures = this.#actors.get(actorId);
    if (failures !== undefined) {
      failures.times.length = 0;
      failures.severities.length = 0;
    }
    this.#quarantined.emit(quarantine);
    return quarantine;
  }

  /** Whether the actor is quarantined now. */
  isQuarantined(actorId: string): boolean {
    return this.getQuarantine(actorId) !== undefined;
  }

  /** The actor's quarantine while it lasts. */
  getQuarantine(actorId: string): QuarantineInfo | undefined {
    const quarantine = this.#quarantines.get(actorId);
    return quarantine !== undefined && this.#clock.now() < quarantine.until ? quarantine : undefined;
  }

  /** Ends an actor's quarantine now; returns whether it was quarantined. */
  releaseActor(actorId: string): boolean {
    const quarantine = this.getQuarantine(actorId);
    if (quarantine === undefined) return false;
    this.#quarantines.set(actorId, { ...quarantine, until: this.#clock.now() });
    return true;
  }

  /** The actors quarantined now. */
  quarantinedActors(): string[] {
    return [...this.#quarantines.keys()].filter((actorId) => this.isQuarantined(actorId));
  }

  /** The actors infected now. */
  infectedActors(): string[] {
    const now = this.#clock.now();
    // Forget actors whose involvement has expired, so the map does not grow with every actor ever seen.
    for (const [actorId, involved] of this.#involved) {
      if (now - involved >= this.#windowMs) {
        this.#involved.delete(actorId);
        this.#actors.delete(actorId);
      }
    }
    const ids = new Set([...this.#involved.keys(), ...this.#quarantines.keys()]);
    return [...ids].filter((actorId) => this.isActorInfected(actorId));
  }

  /** The failures in the history, oldest first; only the actor's when `actorId` is given. */
  getFailureHistory(actorId?: string): TrackedFailure[] {
    return actorId === undefined
      ? [...this.#history]
      : this.#history.filter((failure) => failure.actorId === actorId);
  }

  /** Summarises how failures spread: types, depths, the propagation graph, sources and hotspots. */
  analyzePropagationPatterns(): PropagationAnalysis {
    const now = this.#clock.now();
    const failuresByType: Record<string, number> = {};
    const perActor = new Map<string, number>();
    let recentFailures = 0;
    let maxDepth = 0;
    let depthSum = 0;
    for (const failure of this.#history) {
      failuresByType[failure.failureType] = (failuresByType[failure.failureType] ?? 0) + 1;
      maxDepth = Math.max(maxDepth, failure.depth);
      depthSum += failure.depth;
      if (now - failure.timestamp < this.#windowMs) {
        recentFailures++;
        perActor.set(failure.actorId, (perActor.get(failure.actorId) ?? 0) + 1);
      }
    }
    const edges = this.#recentEdges(now);
    const sources: PropagationSource[] = [];
    for (const from of this.#edges.keys()) {
      const reached = this.#reach(from);
      if (reached.reach > 0) sources.push({ actorId: from, ...reached });
    }
    return {
      totalFailures: this.#history.length,
      recentFailures,
      failuresByType,
      infectedActors: this.infectedActors(),
      quarantinedActors: this.quarantinedActors(),
      maxDepth,
      averageDepth: this.#history.length === 0 ? 0 : depthSum / this.#history.length,
      edges: edges.sort((a, b) => b.count - a.count),
      sources: sources.sort((a, b) => b.reach - a.reach || b.depth - a.depth),
      hotspots: [...perActor]
        .map(([actorId, failures]) => ({ actorId, failures }))
        .sort((a, b) => b.failures - a.failures)
        .slice(0, 10),
    };
  }

  /** Forgets an actor's failures, edges and quarantine; returns whether there was any. */
  forgetActor(actorId: string): boolean {
    let known = this.#actors.delete(actorId);
    known = this.#involved.delete(actorId) || known;
    known = this.#quarantines.delete(actorId) || known;
    known = this.#edges.delete(actorId) || known;
    for (const targets of this.#edges.values()) known = targets.delete(actorId) || known;
    return known;
  }

  #normalise(record: CascadeFailureRecord): TrackedFailure {
    if (typeof record !== 'object' || record === null) {
      throw new TypeError(`CascadeFailureRecord must be an object, received ${String(record)}`);
    }
    const { actorId, failureType = FailureType.ERROR, severity = 1 } = record;
    if (typeof actorId !== 'string' || actorId.length === 0) {
      throw new TypeError(
        `CascadeFailureRecord.actorId must be a non-empty string, received ${String(actorId)}`,
      );
    }
    if (!failureTypes.includes(failureType)) {
      throw new TypeError(
        `CascadeFailureRecord.failureType must be a FailureType, received ${String(failureType)}`,
      );
    }
    if (typeof severity !== 'number' || !(severity >= 0 && severity <= 1)) {
      throw new RangeError(
        `CascadeFailureRecord.severity must be a number from 0 to 1, received ${String(severity)}`,
      );
    }
    const path = record.propagationPath ?? this.#pathFromError(actorId, record.error);
    if (!Array.isArray(path) || !path.every((id) => typeof id === 'string')) {
      throw new TypeError('CascadeFailureRecord.propagationPath must be an array of actor ids');
    }
    const timestamp = record.timestamp ?? this.#clock.now();
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
      throw new TypeError(
        `CascadeFailureRecord.timestamp must be a finite number, received ${String(timestamp)}`,
      );
    }
    return Object.freeze({
      actorId,
      failureType,
      errorMessage: record.errorMessage ?? messageOf(record.error),
      timestamp,
      correlationId: record.correlationId,
      propagationPath: Object.freeze([...path]),
      severity,
      depth: path.length,
    });
  }

  #pathFromError(actorId: string, error: unknown): readonly string[] {
    let current = error;
    for (let level = 0; level < MAX_CAUSE_DEPTH && isObject(current); level++) {
      const origin = this.#origins.get(current);
      if (origin !== undefined && origin.actorId !== actorId)
        return [...origin.propagationPath, origin.actorId];
      current = (current as { cause?: unknown }).cause;
    }
    return [];
  }

  #windowFor(actorId: string, now: number): ActorFailures {
    let failures = this.#actors.get(actorId);
    if (failures === undefined) {
      failures = { times: [], severities: [] };
      this.#actors.set(actorId, failures);
    }
    let expired = 0;
    while (expired < failures.times.length && now - failures.times[expired]! >= this.#windowMs) expired++;
    if (expired > 0) {
      failures.times.splice(0, expired);
      failures.severities.splice(0, expired);
    }
    return failures;
  }

  #markInvolved(actorId: string, time: number): void {
    const previous = this.#involved.get(actorId);
    if (previous === undefined || time > previous) this.#involved.set(actorId, time);
  }

  #autoQuarantine(actorId: string, reason: string): void {
    if (!this.isQuarantined(actorId)) this.quarantineActor(actorId, { reason });
  }

  #addEdge(from: string, to: string, increment: number, time: number): void {
    let targets = this.#edges.get(from);
    if (targets === undefined) {
      targets = new Map();
      this.#edges.set(from, targets);
    }
    const edge = targets.get(to);
    if (edge === undefined) targets.set(to, { count: Math.max(increment, 1), lastSeen: time });
    else {
      edge.count += increment;
      edge.lastSeen = Math.max(edge.lastSeen, time);
    }
  }

  #recentEdges(now: number): PropagationEdge[] {
    const edges: PropagationEdge[] = [];
    for (const [from, targets] of this.#edges) {
      for (const [to, edge] of targets) {
        if (now - edge.lastSeen < this.#windowMs)
          edges.push({ from, to, count: edge.count, lastSeen: edge.lastSeen });
        else targets.delete(to);
      }
      if (targets.size === 0) this.#edges.delete(from);
    }
    return edges;
  }

  /** Breadth-first over recent edges, no further than `maxPropagationDepth` hops. */
  #reach(from: string): { reach: number; depth: number } {
    const seen = new Set([from]);
    let frontier = [from];
    let depth = 0;
    while (frontier.length > 0 && depth < this.maxPropagationDepth) {
      const next: string[] = [];
      for (const node of frontier) {
        for (const to of this.#edges.get(node)?.keys() ?? []) {
          if (!seen.has(to)) {
            seen.add(to);
            next.push(to);
          }
        }
      }
      if (next.length === 0) break;
      depth++;
      frontier = next;
    }
    return { reach: seen.size - 1, depth };
  }
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function messageOf(error: unknown): string {
  if (error === undefined) return '';
  const message = isObject(error) ? (error as { message?: unknown }).message : undefined;
  if (typeof message === 'string') return message;
  try {
    return String(error);
  } catch {
    return typeof error;
  }
}
