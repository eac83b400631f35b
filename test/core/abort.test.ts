import { getEventListeners, setMaxListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { abortableSleep, CallSignal, neverAbortedSignal, onAbort } from '../../src/core/index.js';
import { VirtualClock } from '../../src/testing/index.js';

describe('onAbort', () => {
  it('runs once on abort and leaves no listener after the remover is called', () => {
    const controller = new AbortController();
    const reasons: unknown[] = [];
    for (let call = 0; call < 1000; call++) onAbort(controller.signal, (reason) => reasons.push(reason))();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    onAbort(controller.signal, (reason) => reasons.push(reason));
    controller.abort('stop');
    expect(reasons).toEqual(['stop']);
  });

  it('calls back at once for an already aborted signal', () => {
    const reasons: unknown[] = [];
    onAbort(AbortSignal.abort('early'), (reason) => reasons.push(reason));
    expect(reasons).toEqual(['early']);
  });

  it('never listens to the shared signal that cannot abort', () => {
    expect(neverAbortedSignal.aborted).toBe(false);
    onAbort(neverAbortedSignal, () => undefined);
    expect(getEventListeners(neverAbortedSignal, 'abort')).toHaveLength(0);
  });
});

describe('abortableSleep', () => {
  it('resolves after the delay on the given clock', async () => {
    const clock = new VirtualClock();
    let done = false;
    const sleeping = abortableSleep(100, undefined, clock).then(() => (done = true));
    await clock.advance(99);
    expect(done).toBe(false);
    await clock.advance(1);
    await sleeping;
    expect(done).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects at once with signal.reason and clears its timer and listener', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const sleeping = abortableSleep(10_000, controller.signal, clock);
    controller.abort(new Error('cancelled'));
    await expect(sleeping).rejects.toThrow('cancelled');
    expect(clock.pendingTimers).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('removes its listener from a long-lived signal when it completes', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    setMaxListeners(100, controller.signal);
    const sleeps = Array.from({ length: 50 }, () => abortableSleep(5, controller.signal, clock));
    await clock.advance(5);
    await Promise.all(sleeps);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('CallSignal', () => {
  it('creates no AbortController until the signal is read', () => {
    const parent = new AbortController();
    const call = new CallSignal(parent.signal);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    const signal = call.signal;
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    parent.abort('parent gone');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('parent gone');
  });

  it('aborts with the given reason, even when the signal is read afterwards', () => {
    const call = new CallSignal();
    call.abort('deadline');
    expect(call.aborted).toBe(true);
    expect(call.signal.aborted).toBe(true);
    expect(call.signal.reason).toBe('deadline');
  });

  it('detaches from the parent when released', () => {
    const parent = new AbortController();
    const call = new CallSignal(parent.signal);
    void call.signal;
    call.release();
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });
});
