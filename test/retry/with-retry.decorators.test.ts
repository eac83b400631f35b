import 'reflect-metadata';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { getResilienceMetadata } from '../../src/core/index.js';
import { setMetricsCallbacks } from '../../src/metrics/index.js';
import { isRetryExhaustedError, RetryPolicy, withRetry } from '../../src/retry/index.js';
import { VirtualClock } from '../../src/testing/index.js';

const mode = (() => {
  let argumentCount = 0;
  const probe = (...args: unknown[]) => {
    argumentCount = args.length;
  };
  class Probe {
    @probe
    method() {}
  }
  void Probe;
  return argumentCount === 2 ? 'tc39' : 'legacy';
})();

describe(`withRetry (${mode} decorators)`, () => {
  it('behaves the same as the policy object and the higher-order function', async () => {
    const clock = new VirtualClock();
    const config = { clock, maxRetries: 2, jitter: false };
    const trace = (log: number[]) => () => {
      log.push(clock.now());
      if (log.length < 3) throw new Error('down');
      return log.length;
    };

    const policyLog: number[] = [];
    const viaPolicy = new RetryPolicy(config).execute(trace(policyLog));

    const hofLog: number[] = [];
    const viaHof = withRetry(config)(trace(hofLog))();

    const decoratorLog: number[] = [];
    class Client {
      readonly step = trace(decoratorLog);
      @withRetry(config)
      fetch() {
        return this.step();
      }
    }
    const viaDecorator = new Client().fetch();

    await clock.advance(1000);
    expect(await Promise.all([viaPolicy, viaHof, viaDecorator])).toEqual([3, 3, 3]);
    expect(policyLog).toEqual([0, 100, 300]);
    expect(hofLog).toEqual(policyLog);
    expect(decoratorLog).toEqual(policyLog);
  });

  it('keeps this and the arguments, and turns the result into a promise', async () => {
    class Greeter {
      calls = 0;
      constructor(readonly greeting: string) {}
      @withRetry(1)
      greet(name: string): string {
        this.calls++;
        return `${this.greeting}, ${name}`;
      }
    }
    const greeter = new Greeter('Hello');
    // A decorator cannot change a method's declared type: declare retried methods async.
    const greeting: unknown = greeter.greet('Ada');
    expect(greeting).toBeInstanceOf(Promise);
    await expect(greeting).resolves.toBe('Hello, Ada');
    expect(greeter.calls).toBe(1);
  });

  it('types the higher-order function from the wrapped one', () => {
    const wrapped = withRetry(3)(async (id: number, verbose?: boolean) => ({ id, verbose }));
    expectTypeOf(wrapped).parameters.toEqualTypeOf<[number, (boolean | undefined)?]>();
    expectTypeOf(wrapped).returns.toEqualTypeOf<Promise<{ id: number; verbose: boolean | undefined }>>();
    const withSignal = withRetry({ passSignal: true })(
      async (id: number, signal: AbortSignal) => signal.aborted && id,
    );
    expectTypeOf(withSignal).parameters.toEqualTypeOf<[number]>();
  });

  it('appends the call signal when passSignal is set', async () => {
    const seen: unknown[] = [];
    const fetchUser = withRetry({ maxRetries: 0, passSignal: true })(
      async (id: number, signal: AbortSignal) => {
        seen.push(id, signal instanceof AbortSignal);
        return id;
      },
    );
    await expect(fetchUser(7)).resolves.toBe(7);
    expect(seen).toEqual([7, true]);
  });

  it('reports metrics under Class.method, or the function name', async () => {
    const operations: string[] = [];
    const disposable = setMetricsCallbacks({
      retryExhausted: (operation) => operations.push(operation),
    });
    try {
      class Billing {
        @withRetry(0)
        async charge(): Promise<void> {
          throw new Error('declined');
        }
      }
      async function refund(): Promise<void> {
        throw new Error('declined');
      }
      await expect(new Billing().charge()).rejects.toSatisfy(isRetryExhaustedError);
      await expect(withRetry(0)(refund)()).rejects.toSatisfy(isRetryExhaustedError);
      await expect(withRetry({ maxRetries: 0, name: 'named' })(refund)()).rejects.toSatisfy(
        isRetryExhaustedError,
      );
    } finally {
      disposable.dispose();
    }
    expect(operations).toEqual(['Billing.charge', 'refund', 'named']);
  });

  it('records its policy in the resilience metadata', () => {
    class Repository {
      @withRetry({ maxRetries: 2 })
      async load() {
        return 1;
      }
    }
    expect(getResilienceMetadata(Repository).methods.load).toEqual([
      { policy: 'retry', options: { maxRetries: 2 } },
    ]);
  });

  it('rejects invalid options when the decorator is created', () => {
    expect(() => withRetry({ maxRetry: 2 } as never)).toThrow(/no option "maxRetry"/);
    expect(() => withRetry(-1)).toThrow(/RetryConfig\.maxRetries/);
    expect(() => withRetry({ passSignal: 'yes' } as never)).toThrow(/RetryConfig\.passSignal/);
  });
});
