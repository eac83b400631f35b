import {
  ObservabilityCollector,
  ObservabilityLevel,
  observable,
  SteeringController,
} from '../src/observability/index.js';
import { Actor, ActorSystem } from '../src/supervision/index.js';
import { type BenchSuite, nsPerCall } from './harness.js';

const MESSAGES = 100_000;

function counterClass(collector: ObservabilityCollector | undefined) {
  class Counter extends Actor<{ count: number }> {
    override state = { count: 0 };
    receive(): number {
      return ++this.state.count;
    }
  }
  return collector === undefined ? Counter : (observable(collector)(Counter) as typeof Counter);
}

/** Median tell throughput of one actor, in messages per second. */
async function throughput(level: ObservabilityLevel | undefined, steered = false): Promise<number> {
  const collector =
    level === undefined ? undefined : new ObservabilityCollector({ level, maxMessageFlows: 10_000 });
  const system = new ActorSystem();
  if (steered) new SteeringController(system).pauseActor('none');
  const ref = await system.createActor(counterClass(collector), 'counter');
  const rates: number[] = [];
  for (let round = 0; round < 7; round++) {
    const started = performance.now();
    for (let index = 0; index < MESSAGES; index++) ref.tell('add');
    await ref.ask('add');
    rates.push(MESSAGES / ((performance.now() - started) / 1000));
  }
  await system.shutdown();
  return rates.sort((a, b) => a - b)[3]!;
}

function filledCollector(): ObservabilityCollector {
  const collector = new ObservabilityCollector();
  for (let index = 0; index < 10_000; index++) {
    collector.recordMessageFlow({
      source: `actor-${index % 100}`,
      destination: `actor-${(index * 7) % 100}`,
      messageType: 'work',
    });
  }
  for (let index = 0; index < 100; index++)
    collector.recordActorSnapshot({ actorId: `actor-${index}`, messageRate: index });
  for (let index = 0; index < 50; index++)
    collector.recordSystemEvent('actor_failed', { actorId: `actor-${index * 2}` });
  return collector;
}

export const suites: readonly BenchSuite[] = [
  {
    title: 'Observability: tell throughput through one actor',
    unit: 'msg/s',
    higherIsBetter: true,
    goal: 'an actor nobody observes keeps its throughput; @observable DETAILED ≥ 30% of it',
    rows: [
      { name: 'plain actor', measure: () => throughput(undefined) },
      { name: 'plain actor, system under steering', measure: () => throughput(undefined, true) },
      { name: '@observable, BASIC', measure: () => throughput(ObservabilityLevel.BASIC) },
      { name: '@observable, DETAILED (flows)', measure: () => throughput(ObservabilityLevel.DETAILED) },
    ],
  },
  {
    title: 'Observability: recording',
    unit: 'ns/op',
    rows: [
      {
        name: 'recordMessageFlow',
        measure: () => {
          const collector = new ObservabilityCollector();
          return nsPerCall(() =>
            collector.recordMessageFlow({ source: 'a', destination: 'b', messageType: 'work' }),
          );
        },
      },
      {
        name: 'recordActorSnapshot',
        measure: () => {
          const collector = new ObservabilityCollector();
          return nsPerCall(() => collector.recordActorSnapshot({ actorId: 'a', messageRate: 3 }));
        },
      },
    ],
  },
  {
    title: 'Observability: one detection round (100 actors, 10,000 flows, 50 failures)',
    unit: 'ns/op',
    goal: 'well under the 5 s aggregation interval',
    rows: [
      {
        name: 'detectPatterns (hotspot + cascade)',
        measure: () => {
          const collector = filledCollector();
          return nsPerCall(() => collector.detectPatterns());
        },
      },
    ],
  },
];
