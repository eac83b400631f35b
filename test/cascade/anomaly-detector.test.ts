import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnomalyDetector } from '../../src/cascade/index.js';

function naive(values: readonly number[]): { mean: number; stdDev: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return { mean, stdDev: Math.sqrt(variance) };
}

function baseline(detector: AnomalyDetector, actorId: string, metric: string, count = 30): void {
  for (let index = 0; index < count; index++) detector.recordMetric(actorId, metric, 100 + (index % 5) - 2);
}

describe('AnomalyDetector', () => {
  it('uses a window of 100 values and a z-score threshold of 3 by default', () => {
    const detector = new AnomalyDetector();
    expect(detector.windowSize).toBe(100);
    expect(detector.zScoreThreshold).toBe(3);
  });

  it('flags a spike against the values recorded before it, with its signed z-score', () => {
    const detector = new AnomalyDetector();
    baseline(detector, 'payments', 'latencyMs');
    expect(detector.detectAnomalies('payments')).toEqual([]);
    const z = detector.recordMetric('payments', 'latencyMs', 500);
    const anomalies = detector.detectAnomalies('payments');
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]![0]).toBe('latencyMs');
    expect(anomalies[0]![1]).toBe(z);
    expect(z).toBeGreaterThan(3);
  });

  it('flags values far below the mean with a negative z-score', () => {
    const detector = new AnomalyDetector();
    baseline(detector, 'a', 'throughput');
    detector.recordMetric('a', 'throughput', 0);
    expect(detector.detectAnomalies('a')[0]![1]).toBeLessThan(-3);
  });

  it('lists only the anomalous metrics, the most anomalous first', () => {
    const detector = new AnomalyDetector();
    for (const metric of ['cpu', 'latency', 'queue']) baseline(detector, 'a', metric);
    detector.recordMetric('a', 'cpu', 130);
    detector.recordMetric('a', 'latency', 101);
    detector.recordMetric('a', 'queue', 2000);
    expect(detector.detectAnomalies('a').map(([metric]) => metric)).toEqual(['queue', 'cpu']);
  });

  it('keeps actors apart', () => {
    const detector = new AnomalyDetector();
    baseline(detector, 'a', 'm');
    baseline(detector, 'b', 'm');
    detector.recordMetric('a', 'm', 1000);
    expect(detector.detectAnomalies('b')).toEqual([]);
    expect(detector.getAnomalyScore('b')).toBeLessThan(0.5);
    expect(detector.getAnomalyScore('a')).toBeGreaterThan(0.5);
  });

  it('judges nothing until a metric has minSamples values', () => {
    const detector = new AnomalyDetector({ minSamples: 10 });
    for (let index = 0; index < 9; index++) detector.recordMetric('a', 'm', 10);
    expect(detector.recordMetric('a', 'm', 1e6)).toBe(0);
    expect(detector.detectAnomalies('a')).toEqual([]);
  });

  it('caps minSamples at the window size', () => {
    const detector = new AnomalyDetector({ windowSize: 4, minSamples: 50 });
    for (let index = 0; index < 4; index++) detector.recordMetric('a', 'm', index);
    expect(detector.recordMetric('a', 'm', 1000)).toBeGreaterThan(3);
  });

  it('calls the first change of a constant metric infinitely anomalous, unless minStdDev sets a floor', () => {
    const strict = new AnomalyDetector();
    const lenient = new AnomalyDetector({ minStdDev: 2 });
    for (const detector of [strict, lenient])
      for (let index = 0; index < 20; index++) detector.recordMetric('a', 'm', 5);
    expect(strict.recordMetric('a', 'm', 5)).toBe(0);
    expect(strict.recordMetric('a', 'm', 6)).toBe(Number.POSITIVE_INFINITY);
    expect(strict.getAnomalyScore('a')).toBe(1);
    expect(lenient.recordMetric('a', 'm', 6)).toBe(0.5);
  });

  it('forgets values older than the window: a new normal stops being anomalous', () => {
    const detector = new AnomalyDetector({ windowSize: 20 });
    baseline(detector, 'a', 'm', 20);
    for (let index = 0; index < 20; index++) detector.recordMetric('a', 'm', 1000 + (index % 3));
    expect(detector.recordMetric('a', 'm', 1001)).toBeLessThan(3);
    expect(detector.getMetricStats('a', 'm')?.mean).toBeCloseTo(1001, 0);
  });

  it('scores 0 for an unknown actor and exactly 0.5 at the threshold', () => {
    const detector = new AnomalyDetector({ zScoreThreshold: 2, minSamples: 2 });
    expect(detector.getAnomalyScore('nobody')).toBe(0);
    detector.recordMetric('a', 'm', 0);
    detector.recordMetric('a', 'm', 2);
    // mean 1, population stdDev 1: the value 3 is exactly 2 standard deviations away.
    expect(detector.recordMetric('a', 'm', 3)).toBe(2);
    expect(detector.getAnomalyScore('a')).toBe(0.5);
    expect(detector.detectAnomalies('a')).toEqual([]);
  });

  it('rejects values that are not finite numbers', () => {
    const detector = new AnomalyDetector();
    expect(() => detector.recordMetric('a', 'm', Number.NaN)).toThrow(TypeError);
    expect(() => detector.recordMetric('a', 'm', Number.POSITIVE_INFINITY)).toThrow(/finite number/);
  });

  it('forgets an actor on request', () => {
    const detector = new AnomalyDetector();
    detector.recordMetric('a', 'm', 1);
    expect(detector.actorIds()).toEqual(['a']);
    expect(detector.forgetActor('a')).toBe(true);
    expect(detector.getMetricStats('a', 'm')).toBeUndefined();
    expect(detector.forgetActor('a')).toBe(false);
  });

  it('keeps the running mean and standard deviation equal to a full recomputation over the window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 60 }),
        (windowSize, values) => {
          const detector = new AnomalyDetector({ windowSize });
          for (const value of values) detector.recordMetric('a', 'm', value);
          const window = values.slice(-windowSize);
          const expected = naive(window);
          const stats = detector.getMetricStats('a', 'm')!;
          expect(stats.count).toBe(window.length);
          expect(stats.lastValue).toBe(values.at(-1));
          const scale = Math.max(1, ...window.map(Math.abs));
          expect(Math.abs(stats.mean - expected.mean)).toBeLessThanOrEqual(1e-9 * scale);
          expect(Math.abs(stats.stdDev - expected.stdDev)).toBeLessThanOrEqual(1e-6 * scale);
        },
      ),
    );
  });

  it('computes each z-score against the window before the value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 10 }),
        fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 3, maxLength: 40 }),
        (windowSize, values) => {
          const detector = new AnomalyDetector({ windowSize, minSamples: 2, minStdDev: 0.5 });
          values.forEach((value, index) => {
            const before = values.slice(Math.max(0, index - windowSize), index);
            const z = detector.recordMetric('a', 'm', value);
            if (before.length < Math.min(2, windowSize)) {
              expect(z).toBe(0);
            } else {
              const { mean, stdDev } = naive(before);
              expect(z).toBeCloseTo((value - mean) / Math.max(stdDev, 0.5), 6);
            }
          });
        },
      ),
    );
  });

  it('keeps scores within 0..1, above 0.5 exactly when a metric is anomalous', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.array(fc.tuple(fc.constantFrom('x', 'y'), fc.double({ min: -1e3, max: 1e3, noNaN: true })), {
          maxLength: 50,
        }),
        (zScoreThreshold, readings) => {
          const detector = new AnomalyDetector({ zScoreThreshold, minSamples: 3 });
          for (const [metric, value] of readings) {
            detector.recordMetric('a', metric, value);
            const score = detector.getAnomalyScore('a');
            expect(score).toBeGreaterThanOrEqual(0);
            expect(score).toBeLessThanOrEqual(1);
            expect(score > 0.5).toBe(detector.detectAnomalies('a').length > 0);
          }
        },
      ),
    );
  });
});
