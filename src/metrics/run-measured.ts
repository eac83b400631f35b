import { contextFor, type PolicyFunction } from '../core/index.js';
import type { CallOutcome } from './callbacks.js';

/**
 * Runs `fn` for a policy that reports its calls, and tells `settled` whether the call
 * succeeded once it has settled, whichever way it ended.
 */
export async function runMeasured<T>(
  fn: PolicyFunction<T>,
  signal: AbortSignal | undefined,
  settled: (outcome: CallOutcome) => void,
): Promise<T> {
  let outcome: CallOutcome = 'failure';
  try {
    const result = await fn(contextFor(signal));
    outcome = 'success';
    return result;
  } finally {
    settled(outcome);
  }
}
