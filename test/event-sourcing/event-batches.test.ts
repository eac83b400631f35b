import { describe, expect, it } from 'vitest';
import { batchesOf, flattenBatches } from '../../src/event-sourcing/event-batches.js';
import { replayEvents } from '../../src/event-sourcing/replay.js';
import { change } from './event-store-contract.js';

// A source of batches that records how far it was read and whether it was closed.
function source<T>(batches: T[][]) {
  const log = { pulled: 0, closed: false };
  async function* generate(): AsyncGenerator<readonly T[], void, undefined> {
    try {
      for (const batch of batches) {
        log.pulled++;
        yield batch;
      }
    } finally {
      log.closed = true;
    }
  }
  return { batches: generate(), log };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const found: T[] = [];
  for await (const item of items) found.push(item);
  return found;
}

describe('flattenBatches', () => {
  it('yields the items of every batch in order, and closes the source at the end', async () => {
    const { batches, log } = source([[1, 2], [], [3]]);
    expect(await collect(flattenBatches(batches))).toEqual([1, 2, 3]);
    expect(log).toEqual({ pulled: 3, closed: true });
  });

  it('closes the source when the consumer stops early, reading no further batch', async () => {
    const { batches, log } = source([[1, 2], [3]]);
    for await (const item of flattenBatches(batches)) if (item === 2) break;
    expect(log).toEqual({ pulled: 1, closed: true });
  });

  it('hands out the batches themselves to whoever asks for them', async () => {
    const { batches, log } = source([[1, 2], [3]]);
    const flat = flattenBatches(batches);
    expect(await collect(batchesOf(flat)!)).toEqual([[1, 2], [3]]);
    expect(log.closed).toBe(true);
    expect(await flat.next()).toEqual({ value: undefined, done: true });
  });

  it('shares one place between both views: every item comes out once', async () => {
    const flat = flattenBatches(source([[1, 2, 3], [4]]).batches);
    expect((await flat.next()).value).toBe(1);
    expect(await collect(batchesOf(flat)!)).toEqual([[2, 3], [4]]);
  });

  it('finds no batches behind other iterables', () => {
    expect(batchesOf([1, 2])).toBeUndefined();
    expect(batchesOf(source([[1]]).batches)).toBeUndefined();
  });
});

describe('replayEvents over batches', () => {
  it('replays every event once, even after some were taken one by one', async () => {
    const events = [1, 2, 3, 4].map((n) => change('r', { n }, { timestamp: 1_000 + n }));
    const flat = flattenBatches(source([events.slice(0, 3), events.slice(3)]).batches);
    await flat.next();
    const seen: unknown[] = [];
    const count = await replayEvents(flat, {
      speed: Number.POSITIVE_INFINITY,
      callback: (event) => seen.push(event.data.n),
    });
    expect([count, seen]).toEqual([3, [2, 3, 4]]);
  });

  it('stops reading the source when the callback throws', async () => {
    const { batches, log } = source([[change('r', { n: 1 })], [change('r', { n: 2 })]]);
    const replay = replayEvents(flattenBatches(batches), {
      speed: Number.POSITIVE_INFINITY,
      callback: () => {
        throw new Error('boom');
      },
    });
    await expect(replay).rejects.toThrow('boom');
    expect(log).toEqual({ pulled: 1, closed: true });
  });
});
