import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  CircuitBreakerRegistry,
  withCircuitBreaker,
} from '../../src/circuit-breaker/index.js';

describe('CircuitBreakerConfig validation', () => {
  it.each([
    [{ failureThreshold: 0 }, RangeError, 'CircuitBreakerConfig.failureThreshold'],
    [{ successThreshold: 1.5 }, RangeError, 'CircuitBreakerConfig.successThreshold'],
    [{ cooldownMs: -1 }, RangeError, 'CircuitBreakerConfig.cooldownMs'],
    [{ halfOpenMaxRequests: 0 }, RangeError, 'CircuitBreakerConfig.halfOpenMaxRequests'],
    [{ failureRateThreshold: 0 }, RangeError, 'CircuitBreakerConfig.failureRateThreshold'],
    [{ failureRateThreshold: 1.5 }, RangeError, 'CircuitBreakerConfig.failureRateThreshold'],
    [{ slowCallRateThreshold: -0.1 }, RangeError, 'CircuitBreakerConfig.slowCallRateThreshold'],
    [{ minimumNumberOfCalls: 0 }, RangeError, 'CircuitBreakerConfig.minimumNumberOfCalls'],
    [{ slowCallDurationMs: -5 }, RangeError, 'CircuitBreakerConfig.slowCallDurationMs'],
    [{ timeoutMs: 0 }, RangeError, 'CircuitBreakerConfig.timeoutMs'],
    [{ isFailure: 'yes' }, TypeError, 'CircuitBreakerConfig.isFailure'],
    [{ ignoreErrors: [1] }, TypeError, 'CircuitBreakerConfig.ignoreErrors'],
    [{ jitter: 2 }, RangeError, 'CircuitBreakerConfig.jitter'],
    [{ backoffMultiplier: 0.5 }, RangeError, 'CircuitBreakerConfig.backoffMultiplier'],
    [{ exponentialBackoff: 'on' }, TypeError, 'CircuitBreakerConfig.exponentialBackoff'],
    [{ clock: {} }, TypeError, 'CircuitBreakerConfig.clock'],
    [{ slidingWindow: 'count' }, TypeError, 'CircuitBreakerConfig.slidingWindow'],
    [{ slidingWindow: { type: 'sliding' } }, TypeError, 'CircuitBreakerConfig.slidingWindow.type'],
    [{ slidingWindow: { size: 0 } }, RangeError, 'CircuitBreakerConfig.slidingWindow.size'],
    [{ slidingWindow: { size: 2.5 } }, RangeError, 'CircuitBreakerConfig.slidingWindow.size'],
    [{ exponentialBackoff: true, cooldownMs: 10_000, maxCooldownMs: 5000 }, RangeError, 'maxCooldownMs'],
  ])('rejects %j naming the field', (config, ErrorType, field) => {
    expect(() => new CircuitBreaker('x', config as never)).toThrow(ErrorType);
    expect(() => new CircuitBreaker('x', config as never)).toThrow(field);
  });

  it('rejects an unknown key, suggesting the likely one', () => {
    expect(() => new CircuitBreaker('x', { failureTreshold: 3 } as never)).toThrow(
      /CircuitBreakerConfig has no option "failureTreshold" \(did you mean "failureThreshold"\?\)/,
    );
  });

  it('rejects a missing name', () => {
    expect(() => new CircuitBreaker('' as string)).toThrow(TypeError);
  });

  it('accepts every documented option', () => {
    const breaker = new CircuitBreaker('all', {
      failureThreshold: 5,
      successThreshold: 3,
      cooldownMs: 60_000,
      halfOpenMaxRequests: 3,
      slidingWindow: { type: 'time', size: 60_000 },
      failureRateThreshold: 0.5,
      minimumNumberOfCalls: 10,
      slowCallDurationMs: Number.POSITIVE_INFINITY,
      slowCallRateThreshold: 1,
      timeoutMs: 1000,
      isFailure: () => true,
      ignoreErrors: [RangeError],
      recordErrors: [Error],
      isFailureResult: () => false,
      maxWaitInHalfOpenMs: 60_000,
      exponentialBackoff: true,
      backoffMultiplier: 2,
      maxCooldownMs: 300_000,
      jitter: 0.1,
      adaptiveThresholds: true,
      healthCheckIntervalMs: 5000,
      autoHealing: true,
      clock: undefined,
    });
    expect(breaker.state).toBe('closed');
  });

  it('validates withCircuitBreaker and registry options when they are given', () => {
    expect(() => withCircuitBreaker({ name: 'x', cooldownMs: -1 })).toThrow(
      'WithCircuitBreakerOptions.cooldownMs',
    );
    expect(() => withCircuitBreaker({ nmae: 'x' } as never)).toThrow(/did you mean "name"/);
    expect(() => withCircuitBreaker({ registry: {} as never })).toThrow('WithCircuitBreakerOptions.registry');
    expect(() => new CircuitBreakerRegistry({ jitter: -1 })).toThrow('CircuitBreakerConfig.jitter');
  });
});
