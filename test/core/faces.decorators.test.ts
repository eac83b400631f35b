import 'reflect-metadata';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type CallSite,
  getResilienceMetadata,
  type Policy,
  type PolicyFunction,
  policyFaces,
  REFLECT_METADATA_KEY,
} from '../../src/core/index.js';
import { withFallback } from '../../src/fallback/index.js';

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

/** A policy that records the site names it was resolved for and the signals it handed out. */
function recording(names: string[]) {
  const policy: Policy = {
    execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal) {
      return Promise.resolve(fn({ signal: signal ?? AbortSignal.timeout(60_000), attempt: 1 }));
    },
  };
  return (options: { passSignal?: boolean } = {}) =>
    policyFaces<true, false>(
      'recording',
      { policy: 'recording', options },
      (site: CallSite) => (self) => {
        names.push(site.qualifiedName(self));
        return policy;
      },
      options.passSignal,
    );
}

describe(`decorators (${mode} mode)`, () => {
  it('keep this, the arguments and the return value of a method', async () => {
    class Greeter {
      constructor(readonly greeting: string) {}
      @withFallback('fallback')
      greet(name: string, punctuation: string): string {
        return `${this.greeting}, ${name}${punctuation}`;
      }
      @withFallback('fallback')
      async greetLater(name: string): Promise<string> {
        return `${this.greeting} later, ${name}`;
      }
    }
    const greeter = new Greeter('Hello');
    expect(greeter.greet('Ada', '!')).toBe('Hello, Ada!');
    await expect(greeter.greetLater('Ada')).resolves.toBe('Hello later, Ada');
  });

  it('keep a synchronous method synchronous when the policy needs no timer', () => {
    class Parser {
      @withFallback(0)
      parse(text: string): number {
        const value = Number.parseInt(text, 10);
        if (Number.isNaN(value)) throw new Error('not a number');
        return value;
      }
    }
    const parser = new Parser();
    expect(parser.parse('12')).toBe(12);
    expect(parser.parse('twelve')).toBe(0);
    expectTypeOf(parser.parse).returns.toEqualTypeOf<number>();
  });

  it('name the call site Class.method, the declaring class even for a subclass instance', async () => {
    const names: string[] = [];
    const withRecording = recording(names);
    class Base {
      @withRecording()
      async load() {
        return 'base';
      }
      @withRecording()
      static async create() {
        return 'static';
      }
    }
    class Derived extends Base {}
    await new Base().load();
    await new Derived().load();
    await Base.create();
    expect(names).toEqual(['Base.load', 'Base.load', 'Base.create']);
  });

  it('append the call signal as a last argument when passSignal is set', async () => {
    const withRecording = recording([]);
    class Downloader {
      @withRecording({ passSignal: true })
      async download(url: string, signal?: AbortSignal) {
        return { url, hasSignal: signal instanceof AbortSignal };
      }
    }
    await expect(new Downloader().download('https://example.test')).resolves.toEqual({
      url: 'https://example.test',
      hasSignal: true,
    });
  });

  it('record their policies, outermost first, readable from the class, an instance or a subclass', () => {
    const withRecording = recording([]);
    class Service {
      @withRecording()
      @withFallback(null)
      async fetch() {
        return 1;
      }
      plain() {
        return 2;
      }
    }
    class SubService extends Service {}
    const expected = [
      { policy: 'recording', options: {} },
      { policy: 'fallback', options: { fallback: null } },
    ];
    expect(getResilienceMetadata(Service).methods).toEqual({ fetch: expected });
    expect(getResilienceMetadata(new Service()).methods.fetch).toEqual(expected);
    expect(getResilienceMetadata(SubService).methods.fetch).toEqual(expected);
    expect(getResilienceMetadata(Service).class).toEqual([]);
  });

  if (mode === 'legacy') {
    it('also store their metadata through reflect-metadata under a bulwark: key', () => {
      class Repository {
        @withFallback([])
        async list() {
          return [1];
        }
      }
      const getMetadata = (
        Reflect as unknown as { getMetadata(key: string, target: object, property: string): unknown }
      ).getMetadata;
      expect(REFLECT_METADATA_KEY).toBe('bulwark:policies');
      expect(getMetadata(REFLECT_METADATA_KEY, Repository.prototype, 'list')).toEqual([
        { policy: 'fallback', options: { fallback: [] } },
      ]);
    });
  }

  it('refuse to decorate something that is not a method', () => {
    const decorate = withFallback(0) as unknown as (...args: unknown[]) => unknown;
    expect(() => decorate(undefined, { kind: 'field', name: 'count' })).toThrow(
      '@withFallback applies to methods only, but was applied to a field',
    );
    expect(() => decorate({}, 'count', { value: 5 })).toThrow('@withFallback applies to methods only');
    expect(() => decorate(1, 2)).toThrow('@withFallback must decorate a method, or wrap a function');
  });
});

describe('higher-order functions', () => {
  it('keep this, arguments, the function name and a synchronous result', () => {
    const counter = {
      count: 40,
      add: withFallback(-1)(function add(this: { count: number }, amount: number) {
        return this.count + amount;
      }),
    };
    expect(counter.add(2)).toBe(42);
    expect(counter.add.name).toBe('add');
    expectTypeOf(counter.add).parameters.toEqualTypeOf<[amount: number]>();
  });

  it('type an asynchronous policy as returning a promise', () => {
    const wrapped = recording([])()((value: number) => value * 2);
    expectTypeOf(wrapped).returns.toEqualTypeOf<Promise<number>>();
  });
});
