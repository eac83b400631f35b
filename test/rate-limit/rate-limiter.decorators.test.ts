import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { getResilienceMetadata } from '../../src/core/index.js';
import { RateLimiter, withRateLimit } from '../../src/rate-limit/index.js';
import { VirtualClock } from '../../src/testing/index.js';

async function outcomes(call: () => Promise<string>) {
  const results: string[] = [];
  for (let index = 0; index < 3; index++) {
    results.push(await call().catch((error: { code: string }) => error.code));
  }
  return results;
}

describe('withRateLimit as a decorator', () => {
  it('behaves as the policy object and the higher-order function do', async () => {
    const options = { limitForPeriod: 2, periodMs: 1000, clock: new VirtualClock() };
    const send = async () => 'sent';
    const policy = new RateLimiter({ ...options, clock: new VirtualClock() });
    const hof = withRateLimit({ ...options, clock: new VirtualClock() })(send);
    class Sms {
      readonly status = 'sent';
      @withRateLimit(options)
      async send(): Promise<string> {
        return this.status;
      }
    }
    const expected = ['sent', 'sent', 'RATE_LIMITED'];
    expect(await outcomes(() => policy.execute(send))).toEqual(expected);
    expect(await outcomes(hof)).toEqual(expected);
    expect(await outcomes(() => new Sms().send())).toEqual(expected);
    expect(getResilienceMetadata(Sms).methods.send?.[0]?.policy).toBe('rateLimiter');
  });
});
