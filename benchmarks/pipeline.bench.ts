import { FallbackPolicy } from '../src/fallback/index.js';
import { pipeline } from '../src/index.js';
import { type BenchSuite, nsPerCall } from './harness.js';

const succeed = async (): Promise<number> => 1;
const fallback = new FallbackPolicy(0);
const empty = pipeline();

export const suites: readonly BenchSuite[] = [
  {
    title: 'Composition overhead (success path)',
    unit: 'ns/op',
    goal: 'an empty pipeline and a fallback each ≤ 1.5× a bare `await fn()`',
    rows: [
      { name: 'bare await fn()', measure: () => nsPerCall(async () => await succeed()) },
      {
        name: 'pipeline() with no policies',
        measure: () => nsPerCall(async () => await empty.execute(succeed)),
      },
      {
        name: 'FallbackPolicy.execute',
        measure: () => nsPerCall(async () => await fallback.execute(succeed)),
      },
    ],
  },
];
