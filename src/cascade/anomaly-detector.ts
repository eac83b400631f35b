import { rules, type Schema, validateConfig } from '../core/index.js';
import { WindowStats } from './window-stats.js';

/** Options of an {@link AnomalyDetector}. */
export interface AnomalyDetectorConfig {
  /**
   * How many recent values of each metric form its baseline.
   * @default 100
   */
  windowSize?: number | undefined;
  /**
   * How many standard deviations from the baseline's mean a value must be, strictly, to be anomalous.
   * @default 3
   */
  zScoreThreshold?: number | undefined;
  /**
   * How many baseline values a metric needs before its values are judged; capped at `windowSize`.
   * @default 10
   */
  minSamples?: number | undefined;
  /**
   * A floor under the baseline's standard deviation. With 0, the first change of a metric
   * that was constant is infinitely anomalous; a floor says how small a change still is noise.
   * @default 0
   */
  minStdDev?: number | undefined;
}

/** One anomalous metric of an actor: its name and the z-score of its latest value. */
export type Anomaly = readonly [metricName: string, zScore: number];

/** What the detector knows about one metric of one actor. */
export interface MetricStats {
  /** Values in the baseline window (the latest value included). */
  readonly count: number;
  readonly mean: number;
  /** Population standard deviation of the window. */
  readonly stdDev: number;
  /** The latest value recorded. */
  readonly lastValue: number;
  /** The latest value's z-score against the values before it; 0 while there were too few. */
  readonly zScore: number;
}

const schema: Schema<AnomalyDetectorConfig> = {
  windowSize: rules.integer(2),
  zScoreThreshold: rules.number(Number.MIN_VALUE),
  minSamples: rules.integer(2),
  minStdDev: rules.number(0),
};

class MetricSeries {
  readonly stats: WindowStats;
  lastValue = 0;
  zScore = 0;

  constructor(windowSize: number) {
    this.stats = new WindowStats(windowSize);
  }
}

/**
 * Flags actor metrics whose latest value is far from their recent values. Each metric of
 * each actor keeps its last `windowSize` values in a ring buffer with a running mean and
 * variance, so recording is O(1). A value is judged against the values recorded before it
 * (so one spike cannot hide itself by widening its own baseline), then joins the window.
 *
 * The anomaly score maps the largest |z| among an actor's metrics to 0..1 as
 * `z² / (z² + zScoreThreshold²)`: 0 for a value at the mean, exactly 0.5 at the threshold,
 * approaching 1 as the value moves further away — so a score above 0.5 means "anomalous".
 *
 * @example
 * const detector = new AnomalyDetector({ windowSize: 50 });
 * for (const ms of latencies) detector.recordMetric('payments', 'latencyMs', ms);
 * detector.detectAnomalies('payments'); // [['latencyMs', 7.4]] after a spike
 * detector.getAnomalyScore('payments'); // 0.86
 * @throws TypeError or RangeError naming the option when an option is invalid.
 */
export class AnomalyDetector {
  /** How many recent values of each metric form its baseline. */
  readonly windowSize: number;
  /** The |z| a value must exceed to be anomalous. */
  readonly zScoreThreshold: number;
  readonly #minSamples: number;
  readonly #minStdDev: number;
  readonly #actors = new Map<string, Map<string, MetricSeries>>();

  constructor(config: AnomalyDetectorConfig = {}) {
    validateConfig<AnomalyDetectorConfig>('AnomalyDetectorConfig', config, schema);
    this.windowSize = config.windowSize ?? 100;
    this.zScoreThreshold = config.zScoreThreshold ?? 3;
    this.#minSamples = Math.min(config.minSamples ?? 10, this.windowSize);
    this.#minStdDev = config.minStdDev ?? 0;
  }

  /**
   * Records one value of an actor's metric and returns its z-score against the values
   * before it (0 while the metric has fewer than `minSamples` values).
   * @throws TypeError when `value` is not a finite number.
   */
  recordMetric(actorId: string, metricName: string, value: number): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new TypeError(
        `AnomalyDetector metric "${metricName}" must be a finite number, received ${String(value)}`,
      );
    }
    let metrics = this.#actors.get(actorId);
    if (metrics === undefined) {
      metrics = new Map();
      this.#actors.set(actorId, metrics);
    }
    let series = metrics.get(metricName);
    if (series === undefined) {
      series = new MetricSeries(this.windowSize);
      metrics.set(metricName, series);
    }
    const { stats } = series;
    series.zScore =
      stats.count < this.#minSamples
        ? 0
        : zScoreOf(value, stats.mean, Math.max(stats.stdDev, this.#minStdDev));
    series.lastValue = value;
    stats.push(value);
    return series.zScore;
  }

  /**
   * The actor's metrics whose latest value is more than `zScoreThreshold` standard
   * deviations from its baseline, as `[metricName, zScore]` (signed: negative below the
   * mean), the most anomalous first.
   */
  detectAnomalies(actorId: string): Anomaly[] {
    const metrics = this.#actors.get(actorId);
    if (metrics === undefined) return [];
    const anomalies: Anomaly[] = [];
    for (const [metricName, series] of metrics) {
      if (Math.abs(series.zScore) > this.zScoreThreshold) anomalies.push([metricName, series.zScore]);
    }
    return anomalies.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  }

  /**
   * How anomalous the actor is now, from 0 (every latest value at its mean, or nothing
   * recorded) to 1: `z² / (z² + zScoreThreshold²)` for the largest |z| among its metrics,
   * so 0.5 is the threshold.
   */
  getAnomalyScore(actorId: string): number {
    const metrics = this.#actors.get(actorId);
    if (metrics === undefined) return 0;
    let largest = 0;
    for (const series of metrics.values()) largest = Math.max(largest, Math.abs(series.zScore));
    return scoreOf(largest, this.zScoreThreshold);
  }

  /** What the detector knows about one metric, or undefined when it was never recorded. */
  getMetricStats(actorId: string, metricName: string): MetricStats | undefined {
    const series = this.#actors.get(actorId)?.get(metricName);
    if (series === undefined) return undefined;
    const { stats } = series;
    return {
      count: stats.count,
      mean: stats.mean,
      stdDev: stats.stdDev,
      lastValue: series.lastValue,
      zScore: series.zScore,
    };
  }

  /** The ids of the actors with recorded metrics. */
  actorIds(): string[] {
    return [...this.#actors.keys()];
  }

  /** Forgets an actor's metrics (after it was replaced, say); returns whether it had any. */
  forgetActor(actorId: string): boolean {
    return this.#actors.delete(actorId);
  }
}

function zScoreOf(value: number, mean: number, stdDev: number): number {
  const deviation = value - mean;
  if (stdDev > 0) return deviation / stdDev;
  if (deviation === 0) return 0;
  return deviation > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

/** Maps |z| to 0..1 with 0.5 at the threshold. */
export function scoreOf(absZ: number, threshold: number): number {
  if (absZ === Number.POSITIVE_INFINITY) return 1;
  const squared = absZ * absZ;
  const score = squared / (squared + threshold * threshold);
  return Number.isFinite(score) ? score : 1;
}
