import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Actor, ActorSystem, type SupervisorRef } from '../src/supervision/index.js';
import { type BenchSuite, nsPerCall } from './harness.js';

/** The simplest actor: a sync handler that counts. Exported so worker nodes can load it. */
export class BenchCounter extends Actor<{ count: number }> {
  static readonly moduleUrl = import.meta.url;
  override state = { count: 0 };
  receive(type: string): unknown {
    if (type === 'fail') throw new Error('failed');
    if (type === 'exit-node') process.exit(1);
    return ++this.state.count;
  }
}

/** The comparison: an object whose calls are chained on one promise, a queue per object. */
class PlainQueue {
  count = 0;
  #tail: Promise<unknown> = Promise.resolve();
  send(): Promise<number> {
    const result = this.#tail.then(() => ++this.count);
    this.#tail = result;
    return result;
  }
}

const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function repeat(times: number, once: () => Promise<number>): Promise<number> {
  const values: number[] = [];
  for (let index = 0; index < times; index++) values.push(await once());
  return median(values);
}

const MESSAGES = 200_000;

async function tellThroughput(): Promise<number> {
  const system = new ActorSystem();
  const ref = await system.createActor(BenchCounter, 'counter');
  const rate = await repeat(7, async () => {
    const started = performance.now();
    for (let index = 0; index < MESSAGES; index++) ref.tell('add');
    await ref.ask('add');
    return MESSAGES / ((performance.now() - started) / 1000);
  });
  await system.shutdown();
  return rate;
}

async function plainQueueThroughput(): Promise<number> {
  const queue = new PlainQueue();
  return repeat(7, async () => {
    const started = performance.now();
    for (let index = 0; index < MESSAGES; index++) void queue.send();
    await queue.send();
    return MESSAGES / ((performance.now() - started) / 1000);
  });
}

async function withActor<T>(use: (ref: SupervisorRef, system: ActorSystem) => Promise<T>): Promise<T> {
  const system = new ActorSystem({ strategy: { restartDelayMs: 0, maxFailures: 1_000_000 } });
  const supervisor = await system.createSupervisor('bench', {
    strategy: { restartDelayMs: 0, maxFailures: 1_000_000 },
  });
  try {
    return await use(supervisor, system);
  } finally {
    await system.shutdown();
  }
}

async function restartLatencyUs(): Promise<number> {
  return withActor(async (supervisor) => {
    const ref = await supervisor.createChild(BenchCounter, 'flaky');
    return repeat(501, async () => {
      const started = performance.now();
      ref.tell('fail');
      await ref.ask('add');
      return (performance.now() - started) * 1000;
    });
  });
}

const gc = (): void => {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
};

async function bytesPer(
  count: number,
  create: (index: number) => Promise<unknown> | unknown,
): Promise<number> {
  const keep: unknown[] = [];
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let index = 0; index < count; index++) keep.push(await create(index));
  gc();
  const after = process.memoryUsage().heapUsed;
  keep.length = 0;
  return (after - before) / count;
}

async function startStopChildrenMs(): Promise<number> {
  return repeat(3, () =>
    withActor(async (supervisor) => {
      const started = performance.now();
      const creations = [];
      for (let index = 0; index < 10_000; index++)
        creations.push(supervisor.createChild(BenchCounter, `c${index}`));
      await Promise.all(creations);
      await supervisor.stopAllChildren();
      return performance.now() - started;
    }),
  );
}

async function relocationMs(): Promise<number> {
  // Workers load the TypeScript sources through tsx, as this benchmark runs under it.
  const tsx = import.meta.resolve('tsx/esm/api');
  const preload = [`data:text/javascript,import{register}from${JSON.stringify(tsx)};register();`];
  const system = new ActorSystem({
    nodes: { count: 3, preload },
    strategy: { restartDelayMs: 0, maxFailures: 1_000_000 },
  });
  try {
    const ref = await system.rootRef.createChild(BenchCounter, 'mover', { node: true });
    await ref.ask('add');
    return await repeat(5, async () => {
      // Let the replacement node warm up, as a node that has been up for a while would be.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const started = performance.now();
      ref.tell('exit-node');
      await ref.ask('add');
      return performance.now() - started;
    });
  } finally {
    await system.shutdown();
  }
}

export const suites: readonly BenchSuite[] = [
  {
    title: 'Supervision: tell throughput through one actor (sync handler)',
    unit: 'msg/s',
    higherIsBetter: true,
    goal: 'bulwark ≥ 1,000,000 msg/s',
    rows: [
      { name: 'plain async queue per object', measure: plainQueueThroughput },
      { name: 'bulwark ActorRef.tell', measure: tellThroughput },
    ],
  },
  {
    title: 'Supervision: ask round trip',
    unit: 'ns/op',
    goal: 'ActorRef.ask ≤ 3× a bare `await fn()`',
    rows: [
      {
        name: 'bare await fn()',
        measure: () => {
          const fn = async (): Promise<number> => 1;
          return nsPerCall(async () => await fn());
        },
      },
      {
        name: 'plain async queue per object',
        measure: () => {
          const queue = new PlainQueue();
          return nsPerCall(async () => await queue.send());
        },
      },
      {
        name: 'bulwark ActorRef.ask',
        measure: () =>
          withActor(async (supervisor) => {
            const ref = await supervisor.createChild(BenchCounter, 'asked');
            return nsPerCall(async () => await ref.ask('add'));
          }),
      },
    ],
  },
  {
    title: 'Supervision: failure → restarted instance handling the next message (median)',
    unit: 'µs',
    rounds: 1,
    goal: '≤ 1 ms (1,000 µs) with restartDelayMs 0',
    rows: [{ name: 'bulwark one-for-one restart', measure: restartLatencyUs }],
  },
  {
    title: 'Supervision: memory per idle actor',
    unit: 'bytes',
    rounds: 1,
    goal: 'bulwark ≤ 1 KB per idle supervised actor',
    rows: [
      { name: 'plain async queue per object', measure: () => bytesPer(10_000, () => new PlainQueue()) },
      {
        name: 'bulwark supervised actor',
        measure: () =>
          withActor((supervisor) =>
            bytesPer(10_000, (index) => supervisor.createChild(BenchCounter, `idle${index}`)),
          ),
      },
    ],
  },
  {
    title: 'Supervision: 10,000 children started and stopped',
    unit: 'ms',
    rounds: 1,
    goal: '< 1,000 ms',
    rows: [{ name: 'bulwark createChild × 10,000 + stopAllChildren', measure: startStopChildrenMs }],
  },
  {
    title: 'Supervision: relocation after a worker node dies (median)',
    unit: 'ms',
    rounds: 1,
    goal: '≤ 50 ms from the node dying to the next answer from another node',
    rows: [{ name: 'bulwark RELOCATE (process.exit in the worker)', measure: relocationMs }],
  },
];
