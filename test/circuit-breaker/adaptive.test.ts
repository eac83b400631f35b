import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitBreakerConfig } from '../../src/circuit-breaker/index.js';

// A small deterministic pseudo-random generator, so the noise is the same on every run.
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const config: CircuitBreakerConfig = {
  failureThreshold: Number.MAX_SAFE_INTEGER,
  failureRateThreshold: 0.3,
  minimumNumberOfCalls: 50,
  slidingWindow: { type: 'count', size: 100 },
};

/** Feeds `calls` outcomes failing with probability `rate`; returns the call at which it opened, if it did. */
function drive(
  breaker: CircuitBreaker,
  rate: number,
  calls: number,
  random: () => number,
): number | undefined {
  for (let call = 0; call < calls; call++) {
    if (random() < rate) breaker.recordFailure(new Error('noise'));
    else breaker.recordSuccess();
    if (breaker.state === 'open') return call;
  }
  return undefined;
}

describe('CircuitBreaker adaptiveThresholds', () => {
  it('a static threshold trips on a dependency that is always a little noisy', () => {
    const breaker = new CircuitBreaker('static', config);
    expect(drive(breaker, 0.35, 20_000, mulberry32(7))).toBeDefined();
  });

  it('does not trip on a noisy but steady dependency', () => {
    const breaker = new CircuitBreaker('steady', { ...config, adaptiveThresholds: true });
    expect(drive(breaker, 0.35, 20_000, mulberry32(7))).toBeUndefined();
    expect(breaker.getStatus().failureRateThreshold).toBeGreaterThan(0.4);
  });

  it('still trips, within a window, when the failure rate really jumps', () => {
    const random = mulberry32(11);
    const breaker = new CircuitBreaker('jump', { ...config, adaptiveThresholds: true });
    expect(drive(breaker, 0.35, 20_000, random)).toBeUndefined();
    const openedAfter = drive(breaker, 0.9, 1_000, random);
    expect(openedAfter).toBeDefined();
    expect(openedAfter).toBeLessThan(100);
  });

  it('never raises the threshold above halfway between the configured one and 1', () => {
    const breaker = new CircuitBreaker('always-failing', { ...config, adaptiveThresholds: true });
    const openedAfter = drive(breaker, 1, 1_000, mulberry32(3));
    expect(openedAfter).toBe(49);
    expect(breaker.getStatus().failureRateThreshold).toBeLessThanOrEqual(0.65);
  });

  it('never lowers the threshold below the configured one', () => {
    const breaker = new CircuitBreaker('healthy', { ...config, adaptiveThresholds: true });
    expect(drive(breaker, 0.01, 5_000, mulberry32(5))).toBeUndefined();
    expect(breaker.getStatus().failureRateThreshold).toBe(0.3);
  });
});
