import { type Disposable, toDisposable } from '../core/index.js';
import { type DashboardServeOptions, type DashboardServer, serveDashboard } from './dashboard-server.js';
import type { ObservabilityCollector } from './observability-collector.js';
import type { EmergentPattern } from './records.js';
import type { SteeringController } from './steering-controller.js';

/** One actor in {@link ObservabilityDashboard.getActorGraph}. */
export interface ActorGraphNode {
  readonly id: string;
  /** The newest snapshot's state, or the live status when the actor has no snapshot. */
  readonly state: string;
  readonly paused: boolean;
  readonly mailboxSize: number;
  readonly messageRate: number;
  readonly errorRate: number;
}

/** The messages from one actor to another in {@link ObservabilityDashboard.getActorGraph}. */
export interface ActorGraphEdge {
  readonly source: string;
  readonly destination: string;
  readonly messageCount: number;
  readonly messageTypes: readonly string[];
  /** The mean of the flows' known latencies; undefined when none is known. */
  readonly averageLatencyMs: number | undefined;
  readonly lastSeen: number;
}

/** Actors and the messages between them. */
export interface ActorGraph {
  readonly nodes: readonly ActorGraphNode[];
  readonly edges: readonly ActorGraphEdge[];
}

/** What {@link ObservabilityDashboard.getPatternSummary} reports. */
export interface PatternSummary {
  readonly totalPatterns: number;
  readonly activePatterns: number;
  /** How many retained patterns there are of each type. */
  readonly byType: Readonly<Record<string, number>>;
  /** Retained patterns, most recently observed first. */
  readonly patterns: readonly EmergentPattern[];
}

/** Builds a custom view of the system, served as JSON at `/api/visualizations/<name>`. */
export type Visualization = (dashboard: ObservabilityDashboard) => unknown;

/** The numeric snapshot fields {@link ObservabilityDashboard.getTimeSeriesData} charts directly. */
const SNAPSHOT_METRICS = new Set(['messageRate', 'errorRate', 'mailboxSize', 'memoryUsage']);

/**
 * Views over a collector's records (an actor graph, time series, a pattern summary and
 * custom visualizations) and a live web page that shows them and steers the system.
 *
 * @example
 * const dashboard = new ObservabilityDashboard(collector, steering);
 * const server = await dashboard.serve({ port: 8080, token: process.env.DASHBOARD_TOKEN });
 * console.log(`open ${server.url}`);
 * await server.close();
 * @throws TypeError when `collector` or `steering` is missing.
 */
export class ObservabilityDashboard {
  readonly collector: ObservabilityCollector;
  readonly steering: SteeringController;
  readonly #visualizations = new Map<string, Visualization>();

  constructor(collector: ObservabilityCollector, steering: SteeringController) {
    if (typeof collector?.getSystemOverview !== 'function') {
      throw new TypeError(
        'ObservabilityDashboard(collector, steering): collector must be an ObservabilityCollector',
      );
    }
    if (typeof steering?.pauseActor !== 'function') {
      throw new TypeError(
        'ObservabilityDashboard(collector, steering): steering must be a SteeringController',
      );
    }
    this.collector = collector;
    this.steering = steering;
  }

  /** Every observed actor (plus live actors that exchanged messages with them) and the message edges between them. */
  getActorGraph(): ActorGraph {
    const latest = this.collector.getLatestSnapshots();
    const edges = new Map<
      string,
      {
        edge: Omit<ActorGraphEdge, 'messageTypes' | 'averageLatencyMs'>;
        types: Set<string>;
        latencySum: number;
        latencyCount: number;
      }
    >();
    const ids = new Set(latest.keys());
    for (const flow of this.collector.getMessageFlows()) {
      ids.add(flow.source);
      ids.add(flow.destination);
      const key = `${flow.source}\u0000${flow.destination}`;
      let entry = edges.get(key);
      if (entry === undefined) {
        entry = {
          edge: {
            source: flow.source,
            destination: flow.destination,
            messageCount: 0,
            lastSeen: flow.timestamp,
          },
          types: new Set(),
          latencySum: 0,
          latencyCount: 0,
        };
        edges.set(key, entry);
      }
      entry.edge = {
        ...entry.edge,
        messageCount: entry.edge.messageCount + 1,
        lastSeen: Math.max(entry.edge.lastSeen, flow.timestamp),
      };
      entry.types.add(flow.messageType);
      if (flow.latencyMs !== undefined) {
        entry.latencySum += flow.latencyMs;
        entry.latencyCount++;
      }
    }
    const nodes: ActorGraphNode[] = [];
    for (const id of ids) {
      const snapshot = latest.get(id);
      const live = this.steering.inspectActor(id);
      nodes.push({
        id,
        state: snapshot?.state ?? (live?.paused ? 'paused' : (live?.status ?? 'unknown')),
        paused: live?.paused ?? false,
        mailboxSize: live?.mailboxSize ?? snapshot?.mailboxSize ?? 0,
        messageRate: snapshot?.messageRate ?? 0,
        errorRate: snapshot?.errorRate ?? 0,
      });
    }
    return {
      nodes,
      edges: [...edges.values()].map(({ edge, types, latencySum, latencyCount }) => ({
        ...edge,
        messageTypes: [...types],
        averageLatencyMs: latencyCount === 0 ? undefined : latencySum / latencyCount,
      })),
    };
  }

  /**
   * `[timestamp, value]` pairs of one metric of one actor over the last `durationMs`, oldest
   * first. `metric` is a snapshot field (`messageRate`, `errorRate`, `mailboxSize`,
   * `memoryUsage`) or a numeric custom metric.
   */
  getTimeSeriesData(actorId: string, metric: string, durationMs = 300_000): Array<[number, number]> {
    if (!(durationMs > 0)) {
      throw new RangeError(
        `getTimeSeriesData: durationMs must be a duration in ms > 0, received ${String(durationMs)}`,
      );
    }
    const since = this.collector.clock.now() - durationMs;
    const points: Array<[number, number]> = [];
    for (const snapshot of this.collector.getActorSnapshots(actorId, since)) {
      const value = SNAPSHOT_METRICS.has(metric)
        ? (snapshot as unknown as Record<string, unknown>)[metric]
        : snapshot.customMetrics[metric];
      if (typeof value === 'number' && Number.isFinite(value)) points.push([snapshot.timestamp, value]);
    }
    return points;
  }

  /** Retained patterns, counted by type, most recently observed first. */
  getPatternSummary(): PatternSummary {
    const patterns = this.collector.getPatterns();
    const byType: Record<string, number> = {};
    for (const pattern of patterns) byType[pattern.patternType] = (byType[pattern.patternType] ?? 0) + 1;
    return {
      totalPatterns: patterns.length,
      activePatterns: this.collector.getActivePatterns().length,
      byType,
      patterns,
    };
  }

  /** Registers a custom view under `name`, replacing any before it; dispose the result to remove it. */
  registerVisualization(name: string, visualization: Visualization): Disposable {
    if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) {
      throw new TypeError(
        'registerVisualization(name, visualization): name must be letters, digits, "_", "-" or "."',
      );
    }
    if (typeof visualization !== 'function') {
      throw new TypeError('registerVisualization(name, visualization): visualization must be a function');
    }
    this.#visualizations.set(name, visualization);
    return toDisposable(() => {
      if (this.#visualizations.get(name) === visualization) this.#visualizations.delete(name);
    });
  }

  /** The names of the registered visualizations. */
  getVisualizationNames(): string[] {
    return [...this.#visualizations.keys()];
  }

  /** Runs the visualization registered as `name`; `found` is false when there is none. */
  renderVisualization(name: string): { readonly found: boolean; readonly data: unknown } {
    const visualization = this.#visualizations.get(name);
    return visualization === undefined
      ? { found: false, data: undefined }
      : { found: true, data: visualization(this) };
  }

  /**
   * Serves a live page and a JSON API over `node:http`: reads are open, every state-changing
   * request needs the token. Binds `127.0.0.1` unless told otherwise.
   * @throws TypeError or RangeError naming the option when an option is invalid.
   */
  serve(options: DashboardServeOptions = {}): Promise<DashboardServer> {
    return serveDashboard(this, options);
  }
}
