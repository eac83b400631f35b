import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { getResilienceMetadata } from '../../src/core/index.js';
import { HedgePolicy, withHedge } from '../../src/hedge/index.js';
import { VirtualClock } from '../../src/testing/index.js';

/** A replica set whose first call is slow and every later one fast. */
function replicas(clock: VirtualClock) {
  let calls = 0;
  return (signal?: AbortSignal) => {
    const call = ++calls;
    return new Promise<string>((resolve) => {
      clock.setTimeout(
        () => resolve(`reply ${call}${signal?.aborted ? ' (aborted)' : ''}`),
        call === 1 ? 500 : 10,
      );
    });
  };
}

async function settleWith(clock: VirtualClock, result: Promise<string>) {
  await clock.advance(600);
  return result;
}

describe('withHedge as a decorator', () => {
  it('behaves as the policy object and the higher-order function do', async () => {
    const policyClock = new VirtualClock();
    const policyFetch = replicas(policyClock);
    const policy = new HedgePolicy({ delayMs: 50, clock: policyClock });
    const viaPolicy = await settleWith(
      policyClock,
      policy.execute(({ signal }) => policyFetch(signal)),
    );

    const hofClock = new VirtualClock();
    const viaHof = await settleWith(
      hofClock,
      withHedge({ delayMs: 50, clock: hofClock, passSignal: true })(replicas(hofClock))(),
    );

    const clock = new VirtualClock();
    const fetchReply = replicas(clock);
    class Client {
      readonly name = 'client';
      @withHedge({ delayMs: 50, clock, passSignal: true })
      async get(signal?: AbortSignal): Promise<string> {
        return `${this.name}: ${await fetchReply(signal)}`;
      }
    }
    const viaDecorator = await settleWith(clock, new Client().get());

    expect(viaPolicy).toBe('reply 2');
    expect(viaHof).toBe('reply 2');
    expect(viaDecorator).toBe('client: reply 2');
    expect(getResilienceMetadata(Client).methods.get?.[0]).toMatchObject({ policy: 'hedge' });
  });
});
