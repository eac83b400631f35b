import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/event-sourcing/index.js';
import { describeEventStoreContract } from './event-store-contract.js';

describeEventStoreContract('MemoryEventStore', async ({ clock }) => ({
  store: new MemoryEventStore({ clock }),
  cleanup: async () => {},
}));

describe('MemoryEventStore', () => {
  it('rejects unknown options naming them', () => {
    expect(() => new MemoryEventStore({ clok: 1 } as never)).toThrow(
      /MemoryEventStoreConfig has no option "clok"/,
    );
  });
});
