import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/core/clock.js';

describe('systemClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('follows test fake timers while they are installed, and real time again after', async () => {
    const before = systemClock.now();
    vi.useFakeTimers();
    const faked = systemClock.now();
    vi.advanceTimersByTime(5000);
    expect(systemClock.now() - faked).toBe(5000);
    vi.useRealTimers();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const after = systemClock.now();
    expect(after - before).toBeGreaterThanOrEqual(4);
    expect(after - before).toBeLessThan(5000);
  });

  it('never goes backwards', () => {
    let previous = systemClock.now();
    for (let read = 0; read < 1000; read++) {
      const now = systemClock.now();
      expect(now).toBeGreaterThanOrEqual(previous);
      previous = now;
    }
  });
});
