import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { getResilienceMetadata } from '../../src/core/index.js';
import {
  injectFault,
  VirtualClock,
  withInjectedFault,
  withInjectedLatency,
} from '../../src/testing/index.js';

function outcomes(call: () => number): Array<number | string> {
  return Array.from({ length: 20 }, () => {
    try {
      return call();
    } catch (error) {
      return (error as { code: string }).code;
    }
  });
}

describe('fault injection as a decorator', () => {
  it('behaves as the policy object and the higher-order function do, given the same seed', async () => {
    const options = { rate: 0.4, seed: 11 };
    const answer = () => 42;
    const policy = injectFault(options);
    const viaPolicy: Array<number | string> = [];
    for (let index = 0; index < 20; index++) {
      viaPolicy.push(await policy.execute(answer).catch((error: { code: string }) => error.code));
    }
    const hof = withInjectedFault(options)(answer);
    class Oracle {
      readonly value = 42;
      @withInjectedFault(options)
      answer(): number {
        return this.value;
      }
    }
    const oracle = new Oracle();
    expect(viaPolicy).toContain('INJECTED_FAULT');
    expect(viaPolicy).toContain(42);
    expect(outcomes(hof)).toEqual(viaPolicy);
    expect(outcomes(() => oracle.answer())).toEqual(viaPolicy);
    expect(getResilienceMetadata(Oracle).methods.answer?.[0]?.policy).toBe('faultInjection');
  });

  it('delays a decorated method', async () => {
    const clock = new VirtualClock();
    class Slow {
      @withInjectedLatency({ rate: 1, ms: 100, clock })
      async ping(): Promise<string> {
        return `pong at ${clock.now()}`;
      }
    }
    const reply = new Slow().ping();
    await clock.advance(100);
    await expect(reply).resolves.toBe('pong at 100');
  });
});
