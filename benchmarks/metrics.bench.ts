import { metrics } from '@opentelemetry/api';
import { Registry } from 'prom-client';
import { HealthChecker, healthResponse } from '../src/health/index.js';
import { type MetricsCallbacks, metricsCallbacks, setMetricsCallbacks } from '../src/metrics/index.js';
import { instrumentOpenTelemetry } from '../src/opentelemetry/index.js';
import { createMetricsCallbacks } from '../src/prometheus/index.js';
import { type BenchSuite, nsPerCall } from './harness.js';

let calls = 0;
const bare = (): number => ++calls;
const reporting = (): number => {
  metricsCallbacks?.callCompleted?.('circuit_breaker', 'payments', 'success', 12);
  return ++calls;
};

async function measureWith(callbacks: MetricsCallbacks | undefined, fn: () => unknown): Promise<number> {
  const installed = setMetricsCallbacks(callbacks);
  try {
    return await nsPerCall(fn);
  } finally {
    installed.dispose();
  }
}

const health = new HealthChecker({ name: 'bench' });
health.registerCheck('postgres', () => true);
health.registerCheck('redis', () => true);
health.registerCheck('event-loop', () => true, { kind: 'liveness' });

export const suites: readonly BenchSuite[] = [
  {
    title: 'Cost of reporting one call outcome',
    unit: 'ns/op',
    goal: 'with no callbacks installed, reporting costs nothing measurable (≈ 1.0× bare)',
    rows: [
      { name: 'bare call', measure: () => measureWith(undefined, bare) },
      { name: 'reporting, no callbacks installed', measure: () => measureWith(undefined, reporting) },
      {
        name: 'reporting to prom-client (counter + histogram)',
        measure: () => measureWith(createMetricsCallbacks({ registry: new Registry() }), reporting),
      },
      {
        name: 'reporting to OpenTelemetry (no-op meter)',
        measure: () => measureWith(instrumentOpenTelemetry(metrics.getMeter('bench')), reporting),
      },
    ],
  },
  {
    title: 'Health probe (3 synchronous checks)',
    unit: 'ns/op',
    goal: 'a probe answered within cacheTtlMs runs no check',
    rows: [
      { name: 'checkAll() running every check', measure: () => nsPerCall(() => health.checkAll()) },
      {
        name: 'healthResponse() from reused results',
        measure: () => nsPerCall(() => healthResponse(health)),
      },
    ],
  },
];
