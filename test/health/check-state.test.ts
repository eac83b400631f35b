import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advanceCheckState, initialCheckState, type RunVerdict } from '../../src/health/check-state.js';

/** The rule stated plainly over the whole history of runs. */
function modelStatus(
  history: readonly RunVerdict[],
  failureThreshold: number,
  successThreshold: number,
): string {
  let unhealthy = false;
  let failures = 0;
  let successes = 0;
  let status = 'unknown';
  for (const verdict of history) {
    if (verdict === 'fail') {
      failures++;
      successes = 0;
      if (failures >= failureThreshold) unhealthy = true;
      status = unhealthy ? 'unhealthy' : 'degraded';
    } else {
      successes++;
      failures = 0;
      if (unhealthy && successes >= successThreshold) unhealthy = false;
      status = unhealthy ? 'unhealthy' : verdict === 'pass' ? 'healthy' : 'degraded';
    }
  }
  return status;
}

describe('advanceCheckState', () => {
  it('follows the threshold model for every history of runs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<RunVerdict>('pass', 'warn', 'fail'), { maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        (history, failureThreshold, successThreshold) => {
          let state = initialCheckState;
          for (const verdict of history) {
            state = advanceCheckState(state, verdict, failureThreshold, successThreshold);
          }
          expect(state.status).toBe(modelStatus(history, failureThreshold, successThreshold));
          const trailingFailures =
            history.length - 1 - history.findLastIndex((verdict) => verdict !== 'fail');
          expect(state.consecutiveFailures).toBe(trailingFailures);
        },
      ),
    );
  });
});
