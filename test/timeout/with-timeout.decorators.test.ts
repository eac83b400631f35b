import 'reflect-metadata';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { getResilienceMetadata } from '../../src/core/index.js';
import { setMetricsCallbacks } from '../../src/metrics/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { isTimeoutError, TimeoutPolicy, withTimeout } from '../../src/timeout/index.js';

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

const never = () => new Promise<string>(() => undefined);

describe(`withTimeout (${mode} decorators)`, () => {
  it('behaves the same as the policy object and the higher-order function', async () => {
    const clock = new VirtualClock();
    const options = { ms: 100, clock };
    const viaPolicy = new TimeoutPolicy(options).execute(never);
    const viaHof = withTimeout(options)(never)();
    class Client {
      @withTimeout(options)
      fetch() {
        return never();
      }
    }
    const viaDecorator = new Client().fetch();
    const outcomes = Promise.allSettled([viaPolicy, viaHof, viaDecorator]);
    await clock.advance(100);
    for (const outcome of await outcomes) {
      expect(outcome.status).toBe('rejected');
      expect(isTimeoutError((outcome as PromiseRejectedResult).reason)).toBe(true);
    }
  });

  it('keeps this, the arguments and the value of a call that finishes in time', async () => {
    class Greeter {
      constructor(readonly greeting: string) {}
      @withTimeout(1000)
      greet(name: string): string {
        return `${this.greeting}, ${name}`;
      }
    }
    const greeting: unknown = new Greeter('Hello').greet('Ada');
    expect(greeting).toBeInstanceOf(Promise);
    await expect(greeting).resolves.toBe('Hello, Ada');
  });

  it('appends a signal that aborts at the deadline when passSignal is set', async () => {
    const clock = new VirtualClock();
    let received: AbortSignal | undefined;
    class Downloader {
      @withTimeout({ ms: 50, clock, passSignal: true })
      download(url: string, signal?: AbortSignal): Promise<string> {
        received = signal;
        expect(url).toContain('example.test');
        return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
      }
    }
    const result = new Downloader().download('https://example.test/file');
    const assertion = expect(result).rejects.toSatisfy(isTimeoutError);
    expect(received?.aborted).toBe(false);
    await clock.advance(50);
    await assertion;
    expect(received?.aborted).toBe(true);
    expect(isTimeoutError(received?.reason)).toBe(true);

    const download = withTimeout({ ms: 50, passSignal: true })(async (url: string, signal: AbortSignal) =>
      signal.aborted ? 'aborted' : url,
    );
    expectTypeOf(download).parameters.toEqualTypeOf<[string]>();
    await expect(download('u')).resolves.toBe('u');
  });

  it('answers with the fallback at the deadline', async () => {
    const clock = new VirtualClock();
    class Recommendations {
      @withTimeout({ ms: 20, clock, fallback: [] })
      async forUser(_id: string): Promise<string[]> {
        return new Promise(() => undefined);
      }
    }
    const result = new Recommendations().forUser('u1');
    await clock.advance(20);
    await expect(result).resolves.toEqual([]);
  });

  it('reports timeouts under Class.method', async () => {
    const clock = new VirtualClock();
    const operations: string[] = [];
    const disposable = setMetricsCallbacks({ timeoutOccurred: (operation) => operations.push(operation) });
    try {
      class Search {
        @withTimeout({ ms: 10, clock })
        query() {
          return never();
        }
      }
      const result = new Search().query();
      const assertion = expect(result).rejects.toSatisfy(isTimeoutError);
      await clock.advance(10);
      await assertion;
    } finally {
      disposable.dispose();
    }
    expect(operations).toEqual(['Search.query']);
  });

  it('records its policy in the resilience metadata', () => {
    class Repository {
      @withTimeout(250)
      async load() {
        return 1;
      }
    }
    expect(getResilienceMetadata(Repository).methods.load).toEqual([
      { policy: 'timeout', options: { ms: 250 } },
    ]);
  });

  it('rejects invalid options when the decorator is created', () => {
    expect(() => withTimeout(0)).toThrow(/TimeoutOptions\.ms/);
    expect(() => withTimeout({ ms: 10, passSignals: true } as never)).toThrow(/did you mean "passSignal"/);
  });
});
