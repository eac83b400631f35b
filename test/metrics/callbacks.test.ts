import { describe, expect, it, vi } from 'vitest';
import { CircuitState } from '../../src/circuit-breaker/index.js';
import {
  bucketsRule,
  circuitStateValues,
  forEachStateSeries,
  getMetricsCallbacks,
  metricsCallbacks,
  setMetricsCallbacks,
} from '../../src/metrics/index.js';

describe('setMetricsCallbacks', () => {
  it('installs callbacks process-wide and restores the previous ones on dispose', () => {
    const outer = { retryExhausted: vi.fn() };
    const inner = { retryExhausted: vi.fn() };
    const first = setMetricsCallbacks(outer);
    const second = setMetricsCallbacks(inner);
    expect(getMetricsCallbacks()).toBe(inner);
    metricsCallbacks?.retryExhausted?.('charge', 3);
    expect(inner.retryExhausted).toHaveBeenCalledWith('charge', 3);
    expect(outer.retryExhausted).not.toHaveBeenCalled();
    second.dispose();
    expect(getMetricsCallbacks()).toBe(outer);
    first[Symbol.dispose]();
    expect(getMetricsCallbacks()).toBeUndefined();
  });

  it('rejects callbacks that are not functions', () => {
    expect(() => setMetricsCallbacks({ retryExhausted: 'count' } as never)).toThrow(
      /callbacks\.retryExhausted must be a function/,
    );
    expect(() => setMetricsCallbacks(42 as never)).toThrow(TypeError);
    expect(getMetricsCallbacks()).toBeUndefined();
  });
});

describe('circuitStateValues', () => {
  it('lists every CircuitState value, so the state gauge has a series for each', () => {
    expect([...circuitStateValues].sort()).toEqual(Object.values(CircuitState).sort());
  });
});

describe('forEachStateSeries', () => {
  it('marks the current state 1 and every other known state 0', () => {
    const seen: Array<[string, number]> = [];
    forEachStateSeries(circuitStateValues, 'half_open', (state, flag) => seen.push([state, flag]));
    expect(seen).toEqual([
      ['closed', 0],
      ['open', 0],
      ['half_open', 1],
      ['forced_open', 0],
      ['disabled', 0],
      ['metrics_only', 0],
    ]);
  });

  it('gives a state it does not know a series of its own', () => {
    const seen: Array<[string, number]> = [];
    forEachStateSeries(['a', 'b'], 'c', (state, flag) => seen.push([state, flag]));
    expect(seen).toEqual([
      ['a', 0],
      ['b', 0],
      ['c', 1],
    ]);
  });
});

describe('bucketsRule', () => {
  it('accepts increasing positive bounds only', () => {
    expect(bucketsRule.test([0.1, 1, 10])).toBe(true);
    expect(bucketsRule.test([])).toBe(false);
    expect(bucketsRule.test([1, 1])).toBe(false);
    expect(bucketsRule.test([0, 1])).toBe(false);
    expect(bucketsRule.test(['1'])).toBe(false);
  });
});
