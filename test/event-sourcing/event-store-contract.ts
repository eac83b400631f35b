import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/index.js';
import {
  Event,
  type EventStore,
  EventType,
  ExpectedVersionConflictError,
  isExpectedVersionConflictError,
} from '../../src/event-sourcing/index.js';
import { VirtualClock } from '../../src/testing/virtual-clock.js';

/** A store under test and how to dispose of it. */
export interface StoreFixture {
  readonly store: EventStore;
  readonly cleanup: () => Promise<void>;
}

export type StoreFactory = (options: { clock: Clock }) => Promise<StoreFixture>;

export function change(
  actorId: string,
  data: Record<string, unknown> = {},
  extra: Partial<Event> = {},
): Event {
  return new Event({ eventType: EventType.STATE_CHANGED, actorId, data, ...extra });
}

/** The behaviour every EventStore shares; run against each implementation. */
export function describeEventStoreContract(name: string, factory: StoreFactory): void {
  describe(`${name} (EventStore contract)`, () => {
    let fixture: StoreFixture;
    let store: EventStore;
    const clock = new VirtualClock(1_000);

    beforeEach(async () => {
      fixture = await factory({ clock });
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('numbers a stream from version 1 with gap-free, strictly increasing global positions', async () => {
      const first = await store.appendToStream('s-1', [change('a'), change('a'), change('a')]);
      const other = await store.appendToStream('s-2', [change('b')]);
      expect(first.nextExpectedVersion).toBe(3);
      expect(first.events.map((event) => event.version)).toEqual([1, 2, 3]);
      const positions = [...first.events, ...other.events].map((event) => event.globalPosition);
      const base = positions[0]!;
      expect(positions).toEqual([base, base + 1, base + 2, base + 3]);
      expect(other.events[0]!.version).toBe(1);
    });

    it('reads a stream from an inclusive version with a maximum count, empty past the end', async () => {
      const appended = await store.appendToStream('s', [change('a'), change('a'), change('a')]);
      const ids = appended.events.map((event) => event.eventId);
      const read = async (fromVersion?: number, maxCount?: number) =>
        (await store.readStream('s', { fromVersion, maxCount })).map((event) => event.eventId);
      expect(await read()).toEqual(ids);
      expect(await read(0)).toEqual(ids);
      expect(await read(1)).toEqual(ids);
      expect(await read(3)).toEqual([ids[2]]);
      expect(await read(4)).toEqual([]);
      expect(await read(2, 1)).toEqual([ids[1]]);
      expect(await read(1, 0)).toEqual([]);
      expect(await read(1, 10)).toEqual(ids);
      expect(await store.readStream('missing')).toEqual([]);
    });

    it('returns events as given, with their stream, version and position', async () => {
      const event = new Event({
        eventType: 'order_placed',
        actorId: 'order-1',
        data: { total: 12.5, lines: [{ sku: 'x', qty: 2 }], note: 'café ☕' },
        correlationId: 'req-1',
        causationId: 'cmd-1',
        timestamp: 1234.5,
      });
      await store.appendToStream('orders-1', [event]);
      const [read] = await store.readStream('orders-1');
      expect(read!.toJSON()).toEqual({
        ...event.toJSON(),
        streamId: 'orders-1',
        version: 1,
        globalPosition: read!.globalPosition,
      });
      expect(read).toBeInstanceOf(Event);
    });

    it("appendEvent appends to the stream named by the event's actorId", async () => {
      const recorded = await store.appendEvent(change('actor-7'));
      await store.appendEvent(change('actor-7'));
      expect(recorded.streamId).toBe('actor-7');
      expect((await store.readStream('actor-7')).map((event) => event.version)).toEqual([1, 2]);
    });

    describe('expected version', () => {
      const conflict = async (promise: Promise<unknown>, expected: unknown, actual: number) => {
        const error = await promise.then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(ExpectedVersionConflictError);
        expect(isExpectedVersionConflictError(error)).toBe(true);
        expect(error).toMatchObject({ code: 'EXPECTED_VERSION_CONFLICT', expected, actual });
      };

      it('on a missing stream: no_stream, 0 and any succeed; stream_exists and 1 conflict with actual 0', async () => {
        await conflict(
          store.appendToStream('m', [change('a')], { expectedVersion: 'stream_exists' }),
          'stream_exists',
          0,
        );
        await conflict(store.appendToStream('m', [change('a')], { expectedVersion: 1 }), 1, 0);
        expect(
          (await store.appendToStream('m1', [change('a')], { expectedVersion: 'no_stream' }))
            .nextExpectedVersion,
        ).toBe(1);
        expect(
          (await store.appendToStream('m2', [change('a')], { expectedVersion: 0 })).nextExpectedVersion,
        ).toBe(1);
        expect(
          (await store.appendToStream('m3', [change('a')], { expectedVersion: 'any' })).nextExpectedVersion,
        ).toBe(1);
        expect(await store.readStream('m')).toEqual([]);
      });

      it('on a stream at version 3: 3, any and stream_exists succeed; 2, 4 and no_stream conflict with actual 3', async () => {
        await store.appendToStream('s', [change('a'), change('a'), change('a')], {
          expectedVersion: 'no_stream',
        });
        await conflict(store.appendToStream('s', [change('a')], { expectedVersion: 2 }), 2, 3);
        await conflict(store.appendToStream('s', [change('a')], { expectedVersion: 4 }), 4, 3);
        await conflict(
          store.appendToStream('s', [change('a')], { expectedVersion: 'no_stream' }),
          'no_stream',
          3,
        );
        const next = await store.appendToStream('s', [change('a'), change('a')], { expectedVersion: 3 });
        expect(next.nextExpectedVersion).toBe(5);
        expect(
          (await store.appendToStream('s', [change('a')], { expectedVersion: 'stream_exists' }))
            .nextExpectedVersion,
        ).toBe(6);
        expect(
          (await store.appendToStream('s', [change('a')], { expectedVersion: 'any' })).nextExpectedVersion,
        ).toBe(7);
        expect((await store.readStream('s')).map((event) => event.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      });

      it('a multi-event append with no_stream succeeds once and conflicts the second time', async () => {
        const result = await store.appendToStream('n', [change('a'), change('a'), change('a')], {
          expectedVersion: 'no_stream',
        });
        expect(result.nextExpectedVersion).toBe(3);
        await conflict(
          store.appendToStream('n', [change('a')], { expectedVersion: 'no_stream' }),
          'no_stream',
          3,
        );
      });

      it('of 20 concurrent writers at the same expected version exactly one wins', async () => {
        await store.appendToStream('race', [change('a'), change('a')]);
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, writer) =>
            store.appendToStream('race', [change('a', { writer }), change('a', { writer })], {
              expectedVersion: 2,
            }),
          ),
        );
        const winners = results.filter((result) => result.status === 'fulfilled');
        const losers = results.filter((result) => result.status === 'rejected');
        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(19);
        for (const loser of losers)
          expect(isExpectedVersionConflictError((loser as PromiseRejectedResult).reason)).toBe(true);
        const stream = await store.readStream('race');
        expect(stream.map((event) => event.version)).toEqual([1, 2, 3, 4]);
        expect(new Set(stream.slice(2).map((event) => event.data.writer)).size).toBe(1);
      });

      it('rejects a malformed expected version or stream id', async () => {
        await expect(store.appendToStream('s', [change('a')], { expectedVersion: -1 })).rejects.toThrow(
          TypeError,
        );
        await expect(
          store.appendToStream('s', [change('a')], { expectedVersion: 'latest' as never }),
        ).rejects.toThrow(/expectedVersion/);
        await expect(store.appendToStream('', [change('a')])).rejects.toThrow(/streamId/);
      });
    });

    it('appends a batch atomically: an invalid event in the middle leaves nothing behind', async () => {
      await store.appendToStream('batch', [change('a')]);
      const bad = {
        eventType: EventType.STATE_CHANGED,
        actorId: 'a',
        data: [] as unknown as Record<string, unknown>,
      };
      await expect(
        store.appendToStream('batch', [change('a'), bad, change('a')], { expectedVersion: 1 }),
      ).rejects.toThrow(TypeError);
      expect((await store.readStream('batch')).map((event) => event.version)).toEqual([1]);
      const next = await store.appendToStream('batch', [change('a')], { expectedVersion: 1 });
      expect(next.events[0]!.version).toBe(2);
    });

    it('follows correlation and causation chains in global order', async () => {
      const command = 'cmd-1';
      const e1 = change('cart', { step: 1 }, { correlationId: 'X', causationId: command });
      const e2 = change('stock', { step: 2 }, { correlationId: 'X', causationId: command });
      await store.appendEvent(e1);
      await store.appendEvent(change('noise', {}, { correlationId: 'Y' }));
      await store.appendEvent(e2);
      const e3 = change('billing', { step: 3 }, { correlationId: 'X', causationId: e2.eventId });
      await store.appendEvent(e3);
      const chain = await store.getEventsByCorrelation('X');
      expect(chain.map((event) => event.eventId)).toEqual([e1.eventId, e2.eventId, e3.eventId]);
      expect(chain.every((event) => event.correlationId === 'X')).toBe(true);
      expect(chain[2]!.causationId).toBe(chain[1]!.eventId);
      expect(chain[0]!.causationId).toBe(command);
      const positions = chain.map((event) => event.globalPosition);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(await store.getEventsByCorrelation('none')).toEqual([]);
    });

    it("returns an actor's events across streams in global order, within [startTime, endTime)", async () => {
      for (let t = 0; t < 10; t++) {
        await store.appendToStream(t % 2 === 0 ? 'even' : 'odd', [
          change('worker', { t }, { timestamp: 10_000 + t * 100 }),
        ]);
        await store.appendEvent(change('other', { t }, { timestamp: 10_000 + t * 100 }));
      }
      const all = await store.getEventsForActor('worker');
      expect(all.map((event) => event.data.t)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const range = await store.getEventsForActor('worker', { startTime: 10_300, endTime: 10_600 });
      expect(range.map((event) => event.data.t)).toEqual([3, 4, 5]);
      expect(
        (await store.getEventsForActor('worker', { startTime: 10_850 })).map((event) => event.data.t),
      ).toEqual([9]);
      expect(
        (await store.getEventsForActor('worker', { endTime: 10_100 })).map((event) => event.data.t),
      ).toEqual([0]);
      expect(await store.getEventsForActor('nobody')).toEqual([]);
    });

    it('reads the whole log in global order from an inclusive position', async () => {
      await store.appendToStream('a', [change('a'), change('a')]);
      await store.appendToStream('b', [change('b')]);
      const all = await store.readAll();
      const first = all[0]!.globalPosition;
      expect(all.map((event) => event.streamId)).toEqual(['a', 'a', 'b']);
      expect((await store.readAll({ fromPosition: first + 1 })).map((event) => event.globalPosition)).toEqual(
        [first + 1, first + 2],
      );
      expect(
        (await store.readAll({ fromPosition: first, maxCount: 1 })).map((event) => event.globalPosition),
      ).toEqual([first]);
      expect(await store.readAll({ fromPosition: first + 3 })).toEqual([]);
    });

    it('replays at the chosen speed on its clock, and at once with speed Infinity', async () => {
      const events = [0, 100, 200, 300].map((offset) =>
        change('r', { offset }, { timestamp: 5_000 + offset }),
      );
      const seen: unknown[] = [];
      const replay = store.replayEvents(events, {
        speed: 2,
        callback: (event) => seen.push(event.data.offset),
      });
      await clock.advance(0);
      expect(seen).toEqual([0]);
      await clock.advance(49);
      expect(seen).toEqual([0]);
      await clock.advance(1);
      expect(seen).toEqual([0, 100]);
      await clock.advance(100);
      expect(await replay).toBe(4);
      expect(seen).toEqual([0, 100, 200, 300]);
      expect(await store.replayEvents(events, { speed: Number.POSITIVE_INFINITY })).toBe(4);
      expect(clock.pendingTimers).toBe(0);
      await expect(store.replayEvents(events, { speed: 0 })).rejects.toThrow(RangeError);
    });

    it('replays an async iterable, awaiting the promises the callback returns', async () => {
      async function* source() {
        for (const n of [1, 2, 3]) yield change('r', { n }, { timestamp: 1_000 + n });
      }
      const seen: unknown[] = [];
      const settled: unknown[] = [];
      const count = await store.replayEvents(source(), {
        speed: Number.POSITIVE_INFINITY,
        callback: async (event) => {
          seen.push(event.data.n);
          await Promise.resolve();
          settled.push(event.data.n);
          expect(seen).toEqual(settled);
        },
      });
      expect(count).toBe(3);
      expect(settled).toEqual([1, 2, 3]);
    });
  });
}
