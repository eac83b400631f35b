import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { ConsensusValidator } from '../../src/cascade/index.js';
import { type ActorRef, ActorSystem, isAskTimeoutError } from '../../src/supervision/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { Replica } from './fixtures/replicas.js';

describe('ConsensusValidator', () => {
  let clock: VirtualClock;
  let system: ActorSystem;

  beforeEach(() => {
    clock = new VirtualClock();
    system = new ActorSystem({ clock, strategy: { maxFailures: 100 } });
  });

  afterEach(async () => {
    const done = system.shutdown();
    await clock.advance(10_000);
    await done;
    expect(clock.pendingTimers).toBe(0);
  });

  async function replicas(...specs: [unknown, ('answer' | 'silent' | 'fail')?][]): Promise<ActorRef[]> {
    return Promise.all(
      specs.map(([answer, behaviour], index) => system.createActor(Replica, `r${index}`, answer, behaviour)),
    );
  }

  it('needs a quorum of 3 and 70% agreement by default', () => {
    const validator = new ConsensusValidator();
    expect(validator.quorumSize).toBe(3);
    expect(validator.agreementThreshold).toBe(0.7);
  });

  it('agrees when every replica gives the same answer, compared deeply', async () => {
    const refs = await replicas(
      [{ price: 10, tags: ['a'] }],
      [{ tags: ['a'], price: 10 }],
      [{ price: 10, tags: ['a'] }],
    );
    const [agreed, value] = await new ConsensusValidator().validateConsensus(refs, 'price');
    expect(agreed).toBe(true);
    expect(value).toEqual({ price: 10, tags: ['a'] });
  });

  it('does not agree when two of three match under the default 0.7 threshold, and does at 0.6', async () => {
    const refs = await replicas([42], [42], [41]);
    expect(await new ConsensusValidator().validateConsensus(refs, 'price')).toEqual([false, undefined]);
    const outcome = await new ConsensusValidator({ agreementThreshold: 0.6 }).evaluateConsensus(
      refs,
      'price',
    );
    expect(outcome).toMatchObject({
      agreed: true,
      value: 42,
      asked: 3,
      answered: 3,
      agreeing: ['r0', 'r1'],
      dissenting: ['r2'],
    });
    expect(outcome.agreement).toBeCloseTo(2 / 3);
  });

  it('sends the query type and payload to every replica', async () => {
    const refs = await replicas([0], [0], [0]);
    await expect(
      new ConsensusValidator().validateConsensus(refs, { type: 'echo', payload: { sku: 'a-1' } }),
    ).resolves.toEqual([true, { sku: 'a-1' }]);
  });

  it('does not count replicas that fail or time out, and needs a quorum of answers', async () => {
    const refs = await replicas([7], [7], [7], [0, 'silent'], [0, 'fail']);
    const validator = new ConsensusValidator({ quorumSize: 3 });
    const pending = validator.evaluateConsensus(refs, 'price', { timeoutMs: 200 });
    await clock.advance(200);
    const outcome = await pending;
    expect(outcome).toMatchObject({
      agreed: true,
      value: 7,
      answered: 3,
      agreement: 1,
      failed: ['r3', 'r4'],
    });
    const silent = outcome.votes.find((vote) => vote.actorId === 'r3');
    expect(silent?.answered === false && isAskTimeoutError(silent.error)).toBe(true);

    const fewer = validator.validateConsensus(refs.slice(2), 'price', { timeoutMs: 200 });
    await clock.advance(200);
    expect(await fewer).toEqual([false, undefined]);
  });

  it('uses its default timeout of 5000 ms per ask', async () => {
    const refs = await replicas([1], [1], [1, 'silent']);
    let settled = false;
    const pending = new ConsensusValidator({ quorumSize: 2 }).validateConsensus(refs, 'price').finally(() => {
      settled = true;
    });
    await clock.advance(4_999);
    expect(settled).toBe(false);
    await clock.advance(1);
    expect(await pending).toEqual([true, 1]);
  });

  it('asks nobody when there are fewer distinct actors than the quorum; a duplicate votes once', async () => {
    const [ref] = await replicas([1]);
    const outcome = await new ConsensusValidator().evaluateConsensus([ref!, ref!, ref!], 'price');
    expect(outcome).toMatchObject({ agreed: false, asked: 1, answered: 0, votes: [] });
  });

  it('does not agree on a tie, even under a low threshold', async () => {
    const refs = await replicas([1], [1], [2], [2]);
    const outcome = await new ConsensusValidator({ agreementThreshold: 0.5 }).evaluateConsensus(
      refs,
      'price',
    );
    expect(outcome.agreed).toBe(false);
    expect(outcome.agreement).toBe(0.5);
  });

  it('rejects an invalid query or options', async () => {
    const refs = await replicas([1], [1], [1]);
    const validator = new ConsensusValidator();
    await expect(validator.validateConsensus(refs, '')).rejects.toThrow(TypeError);
    await expect(validator.validateConsensus(refs, { type: 'price' }, { timeoutMs: 0 })).rejects.toThrow(
      /ConsensusOptions.timeoutMs/,
    );
  });

  it('types the agreed value', async () => {
    const refs = await replicas([1], [1], [1]);
    const result = await new ConsensusValidator().validateConsensus<number>(refs, 'price');
    expectTypeOf(result).toEqualTypeOf<[agreed: boolean, value: number | undefined]>();
  });
});
