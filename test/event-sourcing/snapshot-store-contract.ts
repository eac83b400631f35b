import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ActorStateSnapshot,
  isSnapshotIntegrityError,
  SnapshotIntegrityError,
  type SnapshotStore,
} from '../../src/event-sourcing/index.js';
import { VirtualClock } from '../../src/testing/virtual-clock.js';

export interface SnapshotFixture {
  readonly store: SnapshotStore;
  readonly cleanup: () => Promise<void>;
}

const DAY = 86_400_000;

export function snapshotOf(
  actorId: string,
  state: unknown,
  timestamp: number,
  eventId = `e-${timestamp}`,
): ActorStateSnapshot {
  return ActorStateSnapshot.createFromActor({ actorId, state }, eventId, { timestamp });
}

/** The behaviour every SnapshotStore shares. */
export function describeSnapshotStoreContract(
  name: string,
  factory: (clock: VirtualClock) => Promise<SnapshotFixture>,
): void {
  describe(`${name} (SnapshotStore contract)`, () => {
    const clock = new VirtualClock(100 * DAY);
    let fixture: SnapshotFixture;
    let store: SnapshotStore;
    beforeEach(async () => {
      fixture = await factory(clock);
      store = fixture.store;
      await store.start?.();
    });
    afterEach(async () => {
      vi.restoreAllMocks();
      await store.stop?.();
      await fixture.cleanup();
    });

    it('loads the newest snapshot, or the newest taken at or before a time, or null', async () => {
      await store.saveSnapshot(snapshotOf('counter', { count: 1 }, 1_000));
      await store.saveSnapshot(snapshotOf('counter', { count: 3 }, 3_000.5));
      await store.saveSnapshot(snapshotOf('counter', { count: 2 }, 2_000));
      await store.saveSnapshot(snapshotOf('other', { count: 9 }, 5_000));
      expect((await store.loadSnapshot('counter'))?.readState()).toEqual({ count: 3 });
      expect((await store.loadSnapshot('counter', 2_999))?.readState()).toEqual({ count: 2 });
      expect((await store.loadSnapshot('counter', 2_000))?.readState()).toEqual({ count: 2 });
      expect((await store.loadSnapshot('counter', 3_000.4))?.readState()).toEqual({ count: 2 });
      expect((await store.loadSnapshot('counter', 3_000.5))?.readState()).toEqual({ count: 3 });
      expect(await store.loadSnapshot('counter', 999)).toBeNull();
      expect(await store.loadSnapshot('nobody')).toBeNull();
    });

    it('keeps every field, and the bytes hash to the stored SHA-256', async () => {
      const saved = new ActorStateSnapshot({
        actorId: 'a/../b',
        actorClass: 'Cart',
        timestamp: 7_000,
        eventId: 'evt-7',
        stateData: Buffer.from('{"items":["x","é"],"code":"function () { return 1 }"}'),
        metadata: { version: 7, reason: 'scheduled' },
      });
      await store.saveSnapshot(saved);
      const loaded = (await store.loadSnapshot('a/../b'))!;
      expect(loaded.toJSON()).toEqual(saved.toJSON());
      expect(loaded.stateHash).toMatch(/^[0-9a-f]{64}$/);
      expect(loaded.readState()).toEqual({ items: ['x', 'é'], code: 'function () { return 1 }' });
    });

    it('refuses a snapshot whose content does not match its hash', async () => {
      vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      const good = snapshotOf('tampered', { balance: 10 }, 1_000);
      await store.saveSnapshot(
        new ActorStateSnapshot({
          ...good,
          stateData: Buffer.from('{"balance":1000000}'),
          stateHash: good.stateHash,
        }),
      );
      const error = await store.loadSnapshot('tampered').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SnapshotIntegrityError);
      expect(isSnapshotIntegrityError(error)).toBe(true);
      expect(error).toMatchObject({
        code: 'SNAPSHOT_INTEGRITY',
        actorId: 'tampered',
        expectedHash: good.stateHash,
      });
    });

    it('deletes the snapshots older than the retention, and resolves to how many', async () => {
      const now = clock.now();
      await store.saveSnapshot(snapshotOf('a', { n: 1 }, now - 10 * DAY));
      await store.saveSnapshot(snapshotOf('a', { n: 2 }, now - 8 * DAY));
      await store.saveSnapshot(snapshotOf('a', { n: 3 }, now - 1 * DAY));
      await store.saveSnapshot(snapshotOf('b', { n: 4 }, now - 9 * DAY));
      expect(await store.deleteOldSnapshots(7)).toBe(3);
      expect((await store.loadSnapshot('a'))?.readState()).toEqual({ n: 3 });
      expect(await store.loadSnapshot('a', now - 2 * DAY)).toBeNull();
      expect(await store.loadSnapshot('b')).toBeNull();
      expect(await store.deleteOldSnapshots()).toBe(0);
      expect(await store.deleteOldSnapshots(0)).toBe(1);
      await expect(store.deleteOldSnapshots(-1)).rejects.toThrow(RangeError);
    });
  });
}
