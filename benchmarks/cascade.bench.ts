import { AnomalyDetector, CascadePreventionSystem, ConsensusValidator } from '../src/cascade/index.js';
import { getCircuitBreaker } from '../src/circuit-breaker/index.js';
import { Actor, ActorSystem } from '../src/supervision/index.js';
import { type BenchSuite, nsPerCall } from './harness.js';

class Echo extends Actor {
  receive(_type: string, payload: unknown): unknown {
    return payload;
  }
}

async function withSystem(run: (system: ActorSystem) => Promise<number>): Promise<number> {
  const system = new ActorSystem();
  try {
    return await run(system);
  } finally {
    await system.shutdown();
  }
}

export const suites: BenchSuite[] = [
  {
    title: 'Cascade: recording one metric value',
    unit: 'ns/op',
    goal: 'O(1) per value whatever the window: windowSize 10 000 costs the same as 100',
    rows: [
      {
        name: 'push to a plain array (bounded by shift)',
        measure: () => {
          const values: number[] = [];
          let index = 0;
          return nsPerCall(() => {
            values.push(index++ % 97);
            if (values.length > 100) values.shift();
          });
        },
      },
      {
        name: 'AnomalyDetector.recordMetric, windowSize 100',
        measure: () => {
          const detector = new AnomalyDetector();
          let index = 0;
          return nsPerCall(() => detector.recordMetric('actor', 'latencyMs', index++ % 97));
        },
      },
      {
        name: 'AnomalyDetector.recordMetric, windowSize 10 000',
        measure: () => {
          const detector = new AnomalyDetector({ windowSize: 10_000 });
          let index = 0;
          return nsPerCall(() => detector.recordMetric('actor', 'latencyMs', index++ % 97));
        },
      },
    ],
  },
  {
    title: 'Cascade: a protected ask',
    unit: 'ns/op',
    goal: 'protectedCall ≤ 1.5× an ask with a timeout through a bare circuit breaker',
    rows: [
      {
        name: 'ActorRef.ask with timeoutMs',
        measure: () =>
          withSystem(async (system) => {
            const ref = await system.createActor(Echo, 'echo');
            return nsPerCall(async () => await ref.ask('get', 1, { timeoutMs: 1_000 }));
          }),
      },
      {
        name: 'CircuitBreaker.execute(ask with timeoutMs)',
        measure: () =>
          withSystem(async (system) => {
            const ref = await system.createActor(Echo, 'echo');
            const breaker = getCircuitBreaker('cascade-bench');
            const options = { timeoutMs: 1_000 };
            return nsPerCall(async () => await breaker.execute(() => ref.ask('get', 1, options)));
          }),
      },
      {
        name: 'CascadePreventionSystem.protectedCall',
        measure: () =>
          withSystem(async (system) => {
            const ref = await system.createActor(Echo, 'echo');
            const cascade = new CascadePreventionSystem(system);
            const options = { timeoutMs: 1_000 };
            return nsPerCall(async () => await cascade.protectedCall(ref, 'get', 1, options));
          }),
      },
    ],
  },
  {
    title: 'Cascade: one consensus round among three replicas',
    unit: 'ns/op',
    rows: [
      {
        name: 'Promise.all of three asks',
        measure: () =>
          withSystem(async (system) => {
            const refs = await Promise.all([0, 1, 2].map((index) => system.createActor(Echo, `r${index}`)));
            return nsPerCall(async () => await Promise.all(refs.map((ref) => ref.ask('get', { price: 49 }))));
          }),
      },
      {
        name: 'ConsensusValidator.validateConsensus',
        measure: () =>
          withSystem(async (system) => {
            const refs = await Promise.all([0, 1, 2].map((index) => system.createActor(Echo, `r${index}`)));
            const validator = new ConsensusValidator();
            const query = { type: 'get', payload: { price: 49 } };
            return nsPerCall(
              async () => await validator.validateConsensus(refs, query, { timeoutMs: 1_000 }),
            );
          }),
      },
    ],
  },
];
