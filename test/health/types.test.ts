import type { RequestListener } from 'node:http';
import { describe, expectTypeOf, it } from 'vitest';
import { CircuitBreaker } from '../../src/circuit-breaker/index.js';
import {
  type HealthCheckedBreaker,
  HealthChecker,
  type HealthReport,
  type HealthStatus,
  healthHandler,
} from '../../src/health/index.js';
import type { MetricsCallbacks } from '../../src/metrics/index.js';
import { instrumentOpenTelemetry } from '../../src/opentelemetry/index.js';
import { createMetricsCallbacks } from '../../src/prometheus/index.js';

describe('health and metrics types', () => {
  it('exposes HealthStatus as a string union and the report shape', () => {
    expectTypeOf<HealthStatus>().toEqualTypeOf<'healthy' | 'degraded' | 'unhealthy' | 'unknown'>();
    expectTypeOf<HealthReport['checks'][string]>().toEqualTypeOf<{
      readonly status: HealthStatus;
      readonly latencyMs: number;
      readonly consecutiveFailures: number;
      readonly lastError?: string;
    }>();
    expectTypeOf(new HealthChecker().checkAll()).resolves.toEqualTypeOf<HealthReport>();
  });

  it('accepts a CircuitBreaker wherever a watched breaker is expected', () => {
    expectTypeOf(new CircuitBreaker('payments')).toExtend<HealthCheckedBreaker>();
  });

  it('gives a node:http request listener and complete metrics callbacks', () => {
    expectTypeOf(healthHandler(new HealthChecker())).toExtend<RequestListener>();
    expectTypeOf(createMetricsCallbacks).returns.toEqualTypeOf<MetricsCallbacks>();
    expectTypeOf(instrumentOpenTelemetry).returns.toEqualTypeOf<MetricsCallbacks>();
  });
});
