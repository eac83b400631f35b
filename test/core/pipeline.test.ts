import { describe, expect, it } from 'vitest';
import {
  type Policy,
  type PolicyContext,
  type PolicyFunction,
  pipeline,
  run,
  runSync,
  type SyncCapablePolicy,
} from '../../src/core/index.js';
import { FallbackPolicy } from '../../src/fallback/index.js';

/** Records the order in which policies are entered and left. */
class TracingPolicy implements Policy {
  constructor(
    readonly label: string,
    readonly trace: string[],
  ) {}

  async execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    this.trace.push(`enter ${this.label}`);
    try {
      return await fn({ signal: signal ?? new AbortController().signal, attempt: 1 });
    } finally {
      this.trace.push(`leave ${this.label}`);
    }
  }
}

/** Runs the function twice, numbering the attempts, like a retry would. */
class TwiceSyncPolicy implements SyncCapablePolicy {
  execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    return Promise.resolve(this[runSync](fn, signal));
  }
  [runSync]<T>(fn: PolicyFunction<T>, signal?: AbortSignal): T | Promise<T> {
    const context = (attempt: number): PolicyContext => ({
      signal: signal ?? new AbortController().signal,
      attempt,
    });
    fn(context(1));
    return fn(context(2)) as T;
  }
}

describe('pipeline', () => {
  it('composes policies outer to inner', async () => {
    const trace: string[] = [];
    const composed = pipeline(new TracingPolicy('outer', trace), new TracingPolicy('inner', trace));
    const result = await composed.execute(() => {
      trace.push('call');
      return 42;
    });
    expect(result).toBe(42);
    expect(trace).toEqual(['enter outer', 'enter inner', 'call', 'leave inner', 'leave outer']);
  });

  it('is itself a policy that nests in another pipeline', async () => {
    const trace: string[] = [];
    const inner = pipeline(new TracingPolicy('b', trace), new TracingPolicy('c', trace));
    const outer = pipeline(new TracingPolicy('a', trace), inner);
    await outer.execute(() => trace.push('call'));
    expect(trace).toEqual(['enter a', 'enter b', 'enter c', 'call', 'leave c', 'leave b', 'leave a']);
  });

  it('passes the caller signal down to the function', async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    await pipeline(new FallbackPolicy(0)).execute(({ signal }) => {
      seen = signal;
    }, controller.signal);
    expect(seen).toBe(controller.signal);
  });

  it('hands the function the attempt number of the policy that counts attempts', () => {
    const attempts: number[] = [];
    run(pipeline(new TwiceSyncPolicy(), new FallbackPolicy(0)), ({ attempt }) => attempts.push(attempt));
    expect(attempts).toEqual([1, 2]);
  });

  it('hands the innermost policy context to the function unread, so a lazy signal is never built', async () => {
    let signalReads = 0;
    const lazy: Policy = {
      execute<T>(fn: PolicyFunction<T>) {
        const context = {
          get signal() {
            signalReads++;
            return new AbortController().signal;
          },
          attempt: 1,
        };
        return Promise.resolve(fn(context));
      },
    };
    await pipeline(new FallbackPolicy(0), lazy).execute(() => 'no signal needed');
    expect(signalReads).toBe(0);
    await pipeline(new TwiceSyncPolicy(), lazy).execute(({ attempt }) => attempt);
    expect(signalReads).toBe(0);
  });

  it('stays synchronous when every policy is', () => {
    const result = run(pipeline(new FallbackPolicy(-1), new FallbackPolicy(-2)), () => 7);
    expect(result).toBe(7);
  });

  it('with no policies runs the function as it is', async () => {
    await expect(pipeline().execute(({ attempt }) => attempt)).resolves.toBe(1);
  });

  it('turns a synchronous throw into a rejection from execute', async () => {
    const composed = pipeline(new FallbackPolicy(0, { on: () => false }));
    const pending = composed.execute(() => {
      throw new Error('sync failure');
    });
    await expect(pending).rejects.toThrow('sync failure');
  });

  it('rejects something that is not a policy, naming its position', () => {
    expect(() => pipeline(new FallbackPolicy(0), {} as Policy)).toThrow(
      'pipeline(...policies): policies[1] must be a Policy with execute(), received object',
    );
  });
});
