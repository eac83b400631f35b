import { describe, expectTypeOf, it } from 'vitest';
import {
  CircuitBreaker,
  type CircuitBreakerMetrics,
  type CircuitBreakerOpenError,
  CircuitState,
  type CircuitStateChange,
  getCircuitBreaker,
  isCircuitBreakerOpenError,
} from '../../src/circuit-breaker/index.js';
import type { Disposable, Policy, SyncCapablePolicy } from '../../src/core/index.js';

describe('circuit breaker types', () => {
  it('is a Policy and a SyncCapablePolicy whose execute keeps the result type', () => {
    const breaker = getCircuitBreaker('types');
    expectTypeOf(breaker).toMatchTypeOf<Policy>();
    expectTypeOf(breaker).toMatchTypeOf<SyncCapablePolicy>();
    expectTypeOf(breaker.execute(async () => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(breaker.execute(() => 'sync')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(breaker.call((a: number, b: string) => `${a}${b}`, 1, 'x')).toEqualTypeOf<Promise<string>>();
  });

  it('types states, events and metrics', () => {
    const breaker = new CircuitBreaker('typed-state');
    expectTypeOf(breaker.state).toEqualTypeOf<CircuitState>();
    expectTypeOf(CircuitState.OPEN).toEqualTypeOf<'open'>();
    expectTypeOf<CircuitState>().toEqualTypeOf<
      'closed' | 'open' | 'half_open' | 'forced_open' | 'disabled' | 'metrics_only'
    >();
    expectTypeOf(breaker.onStateChange).parameter(0).parameter(0).toEqualTypeOf<CircuitStateChange>();
    expectTypeOf(breaker.onStateChange(() => {})).toEqualTypeOf<Disposable>();
    expectTypeOf(breaker.getMetrics()).toEqualTypeOf<CircuitBreakerMetrics>();
  });

  it('narrows with isCircuitBreakerOpenError', () => {
    const error: unknown = new Error('x');
    if (isCircuitBreakerOpenError(error)) {
      expectTypeOf(error).toEqualTypeOf<CircuitBreakerOpenError>();
      expectTypeOf(error.retryAfterMs).toEqualTypeOf<number>();
    }
  });
});
