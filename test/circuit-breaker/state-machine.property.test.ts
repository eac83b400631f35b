import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/circuit-breaker/index.js';
import { VirtualClock } from '../../src/testing/index.js';

interface ModelConfig {
  failureThreshold: number;
  successThreshold: number;
  cooldownMs: number;
  windowSize: number;
  minimumNumberOfCalls: number;
  failureRateThreshold: number;
}

type Op =
  | { kind: 'call'; failed: boolean }
  | { kind: 'advance'; ms: number }
  | { kind: 'forceOpen' }
  | { kind: 'reset' };

/** The breaker's rules, written as plainly as possible. */
class Model {
  state = 'closed';
  consecutive = 0;
  window: boolean[] = [];
  nextAttemptAt = 0;
  trialSuccesses = 0;
  calls = 0;
  failures = 0;
  rejections = 0;
  trips = 0;

  constructor(readonly config: ModelConfig) {}

  observe(now: number): string {
    if (this.state === 'open' && now >= this.nextAttemptAt) {
      this.state = 'half_open';
      this.trialSuccesses = 0;
    }
    return this.state;
  }

  call(failed: boolean, now: number): void {
    const state = this.observe(now);
    if (state === 'open' || state === 'forced_open') {
      this.rejections++;
      return;
    }
    this.calls++;
    if (failed) {
      this.failures++;
      this.consecutive++;
    } else {
      this.consecutive = 0;
    }
    this.window.push(failed);
    if (this.window.length > this.config.windowSize) this.window.shift();
    const { failureThreshold, minimumNumberOfCalls, windowSize, failureRateThreshold, successThreshold } =
      this.config;
    if (state === 'closed') {
      const failing = this.window.filter(Boolean).length;
      if (failed && this.consecutive >= failureThreshold) this.open(now);
      else if (
        this.window.length >= Math.min(minimumNumberOfCalls, windowSize) &&
        failing / this.window.length >= failureRateThreshold
      ) {
        this.open(now);
      }
    } else if (failed) {
      this.open(now);
    } else if (++this.trialSuccesses >= successThreshold) {
      this.close();
    }
  }

  open(now: number): void {
    this.state = 'open';
    this.trips++;
    this.nextAttemptAt = now + this.config.cooldownMs;
  }

  close(): void {
    this.state = 'closed';
    this.window = [];
    this.consecutive = 0;
  }

  reset(): void {
    this.close();
    this.calls = this.failures = this.rejections = this.trips = 0;
  }
}

const configs = fc.record({
  failureThreshold: fc.integer({ min: 1, max: 6 }),
  successThreshold: fc.integer({ min: 1, max: 4 }),
  cooldownMs: fc.integer({ min: 0, max: 50 }),
  windowSize: fc.integer({ min: 1, max: 8 }),
  minimumNumberOfCalls: fc.integer({ min: 1, max: 10 }),
  failureRateThreshold: fc.constantFrom(0.25, 0.3, 0.5, 2 / 3, 1),
});

const ops = fc.array(
  fc.oneof(
    { weight: 8, arbitrary: fc.boolean().map((failed): Op => ({ kind: 'call', failed })) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 60 }).map((ms): Op => ({ kind: 'advance', ms })) },
    { weight: 1, arbitrary: fc.constant<Op>({ kind: 'forceOpen' }) },
    { weight: 1, arbitrary: fc.constant<Op>({ kind: 'reset' }) },
  ),
  { maxLength: 80 },
);

describe('CircuitBreaker state machine', () => {
  it('behaves as the reference model for any sequence of calls, waits and manual actions', async () => {
    await fc.assert(
      fc.asyncProperty(configs, ops, async (config, sequence) => {
        const clock = new VirtualClock();
        const breaker = new CircuitBreaker('model', {
          clock,
          failureThreshold: config.failureThreshold,
          successThreshold: config.successThreshold,
          cooldownMs: config.cooldownMs,
          halfOpenMaxRequests: 1,
          slidingWindow: { type: 'count', size: config.windowSize },
          minimumNumberOfCalls: config.minimumNumberOfCalls,
          failureRateThreshold: config.failureRateThreshold,
        });
        const model = new Model(config);
        for (const op of sequence) {
          if (op.kind === 'call') {
            await breaker
              .execute(async () => {
                if (op.failed) throw new Error('failed');
              })
              .catch(() => undefined);
            model.call(op.failed, clock.now());
          } else if (op.kind === 'advance') {
            await clock.advance(op.ms);
          } else if (op.kind === 'forceOpen') {
            breaker.forceOpen();
            model.state = 'forced_open';
          } else {
            breaker.reset();
            model.reset();
          }
          const metrics = breaker.getMetrics();
          expect(metrics.state).toBe(model.observe(clock.now()));
          expect(breaker.failures).toBe(model.consecutive);
          expect(metrics).toMatchObject({
            calls: model.calls,
            failures: model.failures,
            rejections: model.rejections,
            trips: model.trips,
          });
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('CircuitBreaker count window', () => {
  it('holds exactly the last `size` outcomes, and survives a snapshot', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.record({ failed: fc.boolean(), slow: fc.boolean() }), { maxLength: 300 }),
        (size, outcomes) => {
          const config = {
            failureThreshold: Number.MAX_SAFE_INTEGER,
            minimumNumberOfCalls: Number.MAX_SAFE_INTEGER,
            slowCallDurationMs: 10,
            slidingWindow: { type: 'count', size },
          } as const;
          const breaker = new CircuitBreaker('window', config);
          for (const { failed, slow } of outcomes) {
            if (failed) breaker.recordFailure(new Error('x'), slow ? 11 : 0);
            else breaker.recordSuccess(slow ? 11 : 0);
          }
          const kept = outcomes.slice(-size);
          const expected = {
            calls: kept.length,
            failures: kept.filter((outcome) => outcome.failed).length,
            slowCalls: kept.filter((outcome) => outcome.slow).length,
          };
          expect(breaker.getStatus().window).toMatchObject(expected);
          expect(CircuitBreaker.fromJSON(breaker.toJSON(), config).getStatus().window).toMatchObject(
            expected,
          );
        },
      ),
    );
  });
});
