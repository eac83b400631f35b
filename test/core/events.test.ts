import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventEmitter, toDisposable } from '../../src/core/index.js';

describe('EventEmitter', () => {
  afterEach(() => vi.restoreAllMocks());

  it('delivers events to every listener until it is disposed', () => {
    const emitter = new EventEmitter<number>();
    const seen: number[] = [];
    const subscription = emitter.subscribe((value) => seen.push(value));
    emitter.emit(1);
    subscription.dispose();
    emitter.emit(2);
    expect(seen).toEqual([1]);
    expect(emitter.hasListeners).toBe(false);
  });

  it('supports `using` through Symbol.dispose', () => {
    const emitter = new EventEmitter<string>();
    const seen: string[] = [];
    {
      const subscription = emitter.subscribe((value) => seen.push(value));
      emitter.emit('inside');
      subscription[Symbol.dispose]();
    }
    emitter.emit('outside');
    expect(seen).toEqual(['inside']);
  });

  it('lets a listener unsubscribe itself while an event is being emitted', () => {
    const emitter = new EventEmitter<number>();
    const seen: string[] = [];
    const first = emitter.subscribe(() => {
      seen.push('first');
      first.dispose();
    });
    emitter.subscribe(() => seen.push('second'));
    emitter.emit(1);
    emitter.emit(2);
    expect(seen).toEqual(['first', 'second', 'second']);
  });

  it('isolates a throwing listener and reports it as a process warning', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const emitter = new EventEmitter<number>();
    const seen: number[] = [];
    emitter.subscribe(() => {
      throw new Error('listener bug');
    });
    emitter.subscribe((value) => seen.push(value));
    expect(() => emitter.emit(7)).not.toThrow();
    expect(seen).toEqual([7]);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'listener bug' }),
      expect.objectContaining({ type: 'BulwarkListenerError' }),
    );
  });

  it('rejects a listener that is not a function', () => {
    const emitter = new EventEmitter<number>();
    expect(() => emitter.subscribe(42 as never)).toThrow('listener must be a function, received number');
  });
});

describe('toDisposable', () => {
  it('releases once however often it is disposed', () => {
    const release = vi.fn();
    const disposable = toDisposable(release);
    disposable.dispose();
    disposable[Symbol.dispose]();
    expect(release).toHaveBeenCalledTimes(1);
  });
});
