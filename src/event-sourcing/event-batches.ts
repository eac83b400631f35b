// An async generator costs a few promises and microtask turns per item. A store that reads
// events a batch at a time hands them out one by one to everyone, and a batch at a time to
// consumers of this library that look for `eventBatches`, such as `replayEvents`.
const eventBatches: unique symbol = Symbol('bulwark.eventBatches');

/** An async generator of items that can also hand out what is left of them a batch at a time. */
export type BatchedGenerator<T> = AsyncGenerator<T, void, undefined> & {
  readonly [eventBatches]: () => AsyncGenerator<readonly T[], void, undefined>;
};

/**
 * Flattens `batches` into an async generator of their items. Both views share one place in
 * `batches`: whichever is used, or both in turn, every item comes out once, in order.
 */
export function flattenBatches<T>(
  batches: AsyncGenerator<readonly T[], void, undefined>,
): BatchedGenerator<T> {
  let batch: readonly T[] = [];
  let next = 0;
  async function* items(): AsyncGenerator<T, void, undefined> {
    try {
      for (;;) {
        while (next < batch.length) yield batch[next++]!;
        const step = await batches.next();
        if (step.done === true) return;
        batch = step.value;
        next = 0;
      }
    } finally {
      await batches.return();
    }
  }
  async function* rest(): AsyncGenerator<readonly T[], void, undefined> {
    if (next < batch.length) {
      const left = batch.slice(next);
      next = batch.length;
      yield left;
    }
    for await (const taken of batches) {
      batch = taken;
      next = taken.length;
      yield taken;
    }
  }
  return Object.assign(items(), { [eventBatches]: rest });
}

/** The batches behind `events` when it is a {@link BatchedGenerator}, or undefined. */
export function batchesOf<T>(
  events: Iterable<T> | AsyncIterable<T>,
): AsyncGenerator<readonly T[], void, undefined> | undefined {
  return (events as Partial<BatchedGenerator<T>>)[eventBatches]?.();
}
