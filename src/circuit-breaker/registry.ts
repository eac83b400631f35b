import { CircuitBreaker } from './circuit-breaker.js';
import { type CircuitBreakerConfig, resolveConfig } from './config.js';

/** Bumped when a breaker is removed, so cached lookups know to look again. */
export const registryRevision = Symbol('bulwark.circuitBreakerRegistry.revision');

/**
 * Named circuit breakers, created on first use. Lookups by name allocate nothing;
 * `remove` disposes a breaker so nothing of it stays behind.
 *
 * @example
 * const breakers = new CircuitBreakerRegistry({ cooldownMs: 10_000 });
 * const payments = breakers.getOrCreate('payments', { failureThreshold: 3 });
 */
export class CircuitBreakerRegistry {
  readonly #breakers = new Map<string, CircuitBreaker>();
  readonly #defaults: CircuitBreakerConfig | undefined;
  #revision = 0;

  /**
   * @param defaults - configuration every breaker of this registry starts from.
   * @throws TypeError or RangeError when a `defaults` field is invalid.
   */
  constructor(defaults?: CircuitBreakerConfig) {
    resolveConfig(defaults);
    this.#defaults = defaults;
  }

  get [registryRevision](): number {
    return this.#revision;
  }

  /** How many breakers the registry holds. */
  get size(): number {
    return this.#breakers.size;
  }

  /**
   * The breaker named `name`, created with `config` (over the registry's defaults) if it
   * does not exist yet; an existing breaker keeps the configuration it was created with.
   */
  getOrCreate(name: string, config?: CircuitBreakerConfig): CircuitBreaker {
    const existing = this.#breakers.get(name);
    if (existing !== undefined) return existing;
    const merged = this.#defaults === undefined ? config : { ...this.#defaults, ...config };
    const breaker = new CircuitBreaker(name, merged);
    this.#breakers.set(name, breaker);
    return breaker;
  }

  /** The breaker named `name`, if there is one. */
  get(name: string): CircuitBreaker | undefined {
    return this.#breakers.get(name);
  }

  /** Registers a service's breaker; the same as {@link getOrCreate}. */
  registerService(name: string, config?: CircuitBreakerConfig): CircuitBreaker {
    return this.getOrCreate(name, config);
  }

  /** The breaker of a service, created with the registry's defaults if it was never registered. */
  getBreaker(name: string): CircuitBreaker {
    return this.getOrCreate(name);
  }

  /** Every breaker, in the order they were created. */
  all(): CircuitBreaker[] {
    return [...this.#breakers.values()];
  }

  /** Resets every breaker to closed with nothing counted. */
  resetAll(): void {
    for (const breaker of this.#breakers.values()) breaker.reset();
  }

  /** Removes and disposes the breaker named `name`; returns whether there was one. */
  remove(name: string): boolean {
    const breaker = this.#breakers.get(name);
    if (breaker === undefined) return false;
    this.#breakers.delete(name);
    this.#revision++;
    breaker.dispose();
    return true;
  }
}

/** The process-wide registry behind {@link getCircuitBreaker} and `withCircuitBreaker`. */
export const defaultCircuitBreakerRegistry = new CircuitBreakerRegistry();

/**
 * The process-wide breaker named `name`, created with `config` on first use; later calls
 * return the same breaker.
 *
 * @example
 * const breaker = getCircuitBreaker('inventory', { failureThreshold: 8 });
 * if (breaker.canExecute()) { ... }
 */
export function getCircuitBreaker(name: string, config?: CircuitBreakerConfig): CircuitBreaker {
  return defaultCircuitBreakerRegistry.getOrCreate(name, config);
}

/** Every breaker of the process-wide registry. */
export function getAllCircuitBreakers(): CircuitBreaker[] {
  return defaultCircuitBreakerRegistry.all();
}

/** Resets every breaker of the process-wide registry, e.g. between tests. */
export function resetAllCircuitBreakers(): void {
  defaultCircuitBreakerRegistry.resetAll();
}
