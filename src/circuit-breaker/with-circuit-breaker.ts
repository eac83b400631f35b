import {
  type CallSite,
  executeSyncCapable,
  isThenable,
  type PassesSignal,
  type PolicyFaces,
  type PolicyFunction,
  policyFaces,
  rules,
  runSync,
  type Schema,
  type SyncCapablePolicy,
  validateConfig,
  type WrapOptions,
} from '../core/index.js';
import { type CircuitBreaker, RunMode, recordFallback, runGuarded } from './circuit-breaker.js';
import { type CircuitBreakerConfig, configSchema, resolveConfig } from './config.js';
import { CircuitBreakerRegistry, defaultCircuitBreakerRegistry, registryRevision } from './registry.js';

/** Options of {@link withCircuitBreaker}: these, plus any {@link CircuitBreakerConfig} field. */
export interface WithCircuitBreakerOptions extends CircuitBreakerConfig, WrapOptions {
  /**
   * The breaker's name in the registry; the decorator, the higher-order function and
   * `getCircuitBreaker(name)` reach the same breaker by it.
   * @default `Class.method` for a decorated method, the function's name for a wrapped function
   */
  name?: string | undefined;
  /**
   * The value to answer with when the call fails or is refused, or a function of the error
   * that builds it. A fallback does not count as a failure; it is counted apart.
   * @default none: errors propagate
   */
  fallback?: unknown;
  /**
   * The registry that holds the breaker.
   * @default the process-wide registry of `getCircuitBreaker`
   */
  registry?: CircuitBreakerRegistry | undefined;
}

const schema: Schema<WithCircuitBreakerOptions> = {
  ...configSchema,
  name: rules.string,
  fallback: rules.any,
  registry: {
    expected: 'a CircuitBreakerRegistry',
    type: 'type',
    test: (value) => value instanceof CircuitBreakerRegistry,
  },
  passSignal: rules.boolean,
};

/**
 * Runs every call of a method or function through a named breaker of a registry. The
 * breaker is found once and kept; it is looked up again only after the registry removed one.
 */
class BreakerFace implements SyncCapablePolicy {
  readonly #name: string | undefined;
  readonly #site: CallSite;
  readonly #registry: CircuitBreakerRegistry;
  readonly #config: CircuitBreakerConfig | undefined;
  readonly #fallback: { readonly value: unknown } | undefined;
  #breaker: CircuitBreaker | undefined;
  #revision = -1;
  // Learned from the function's results: whether a refused call should reject (async) or throw (sync).
  #returnsPromise = true;

  constructor(
    name: string | undefined,
    site: CallSite,
    registry: CircuitBreakerRegistry,
    config: CircuitBreakerConfig | undefined,
    fallback: { readonly value: unknown } | undefined,
  ) {
    this.#name = name;
    this.#site = site;
    this.#registry = registry;
    this.#config = config;
    this.#fallback = fallback;
  }

  resolve(self: unknown): this {
    if (this.#breaker === undefined || this.#revision !== this.#registry[registryRevision]) {
      this.#revision = this.#registry[registryRevision];
      this.#breaker = this.#registry.getOrCreate(this.#name ?? this.#site.qualifiedName(self), this.#config);
    }
    return this;
  }

  execute<T>(fn: PolicyFunction<T>, signal?: AbortSignal): Promise<T> {
    return executeSyncCapable(this, fn, signal);
  }

  [runSync]<T>(fn: PolicyFunction<T>, signal?: AbortSignal): T | Promise<T> {
    const breaker = this.#breaker ?? this.resolve(undefined).#breaker!;
    const mode = this.#returnsPromise ? RunMode.RejectAsync : RunMode.ThrowRejections;
    if (this.#fallback === undefined) {
      const result = breaker[runGuarded](fn, signal, mode);
      this.#returnsPromise = isThenable(result);
      return result;
    }
    let result: T | Promise<T>;
    try {
      result = breaker[runGuarded](fn, signal, mode);
    } catch (error) {
      return this.#recover(breaker, error, signal) as T;
    }
    this.#returnsPromise = isThenable(result);
    if (!isThenable(result)) return result;
    return Promise.resolve(result).then(undefined, (error: unknown) =>
      this.#recover(breaker, error, signal),
    ) as Promise<T>;
  }

  #recover(breaker: CircuitBreaker, error: unknown, signal: AbortSignal | undefined): unknown {
    // A cancelled call is the caller's decision, not a failure to paper over.
    if (signal?.aborted && error === signal.reason) throw error;
    breaker[recordFallback]();
    const fallback = this.#fallback!.value;
    return typeof fallback === 'function' ? (fallback as (error: unknown) => unknown)(error) : fallback;
  }
}

/**
 * Runs a method or function through a named circuit breaker: a method decorator
 * (`@withCircuitBreaker('payments')`, in either decorator mode) or a higher-order function
 * (`withCircuitBreaker('payments')(charge)`). A synchronous function stays synchronous.
 * Configuration fields apply when the named breaker is first created.
 *
 * @example
 * class PaymentService {
 *   @withCircuitBreaker({ name: 'payments', failureThreshold: 3, fallback: () => ({ queued: true }) })
 *   async charge(order: Order) { ... }
 * }
 *
 * @throws TypeError or RangeError when an option is invalid, naming it.
 */
export function withCircuitBreaker<O extends WithCircuitBreakerOptions = WithCircuitBreakerOptions>(
  nameOrOptions?: string | O,
): PolicyFaces<false, PassesSignal<O>> {
  const options: WithCircuitBreakerOptions =
    typeof nameOrOptions === 'string' ? { name: nameOrOptions } : (nameOrOptions ?? {});
  validateConfig<WithCircuitBreakerOptions>('WithCircuitBreakerOptions', options, schema);
  const { name, fallback, registry = defaultCircuitBreakerRegistry, passSignal, ...rest } = options;
  const config = Object.keys(rest).length === 0 ? undefined : (rest as CircuitBreakerConfig);
  resolveConfig(config);
  const fallbackBox = 'fallback' in options && fallback !== undefined ? { value: fallback } : undefined;
  // A named breaker exists from the moment it is declared, so getCircuitBreaker(name) finds it configured.
  if (name !== undefined) registry.getOrCreate(name, config);
  return policyFaces(
    'withCircuitBreaker',
    { policy: 'circuitBreaker', options },
    (site) => {
      if (name === undefined && site.functionName === 'anonymous') {
        // Every unnamed anonymous function would otherwise share one breaker called "anonymous".
        throw new TypeError('withCircuitBreaker(options)(fn): an anonymous function needs options.name');
      }
      const face = new BreakerFace(name, site, registry, config, fallbackBox);
      return (self) => face.resolve(self);
    },
    passSignal,
  );
}
