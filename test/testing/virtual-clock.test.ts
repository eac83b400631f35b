import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/testing/index.js';

describe('VirtualClock', () => {
  it('starts at the given time and moves only when advanced', async () => {
    const clock = new VirtualClock(1_000);
    expect(clock.now()).toBe(1_000);
    await clock.advance(250);
    expect(clock.now()).toBe(1_250);
  });

  it('runs due timers in order, with now() at each due time', async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push('late'), 31);
    await clock.advance(30);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
    expect(clock.pendingTimers).toBe(1);
  });

  it('lets promise callbacks settle between timers', async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
    void (async () => {
      await sleep(10);
      seen.push(`first@${clock.now()}`);
      await sleep(10);
      seen.push(`second@${clock.now()}`);
    })();
    await clock.advance(20);
    expect(seen).toEqual(['first@10', 'second@20']);
  });

  it('runs a timer set by a timer when it falls due within the same advance', async () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    clock.setTimeout(() => clock.setTimeout(() => fired.push(clock.now()), 5), 5);
    await clock.advance(10);
    expect(fired).toEqual([10]);
  });

  it('does not run a cleared timer', async () => {
    const clock = new VirtualClock();
    let fired = false;
    const handle = clock.setTimeout(() => (fired = true), 5);
    clock.clearTimeout(handle);
    await clock.advance(10);
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects a negative or non-finite advance', async () => {
    const clock = new VirtualClock();
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
    await expect(clock.advance(Number.POSITIVE_INFINITY)).rejects.toThrow('ms must be a finite number >= 0');
  });

  it('rejects a start time that is not finite', () => {
    expect(() => new VirtualClock(Number.NaN)).toThrow(
      'VirtualClock startMs must be a finite number, received NaN',
    );
  });
});
