import type { Registry } from 'prom-client';

interface MetricShape {
  readonly type?: unknown;
  readonly labelNames?: readonly string[];
}

/**
 * The metric `name` already in `registry`, or a new one from `create`: calling
 * `createMetricsCallbacks` twice on one registry (hot reload, tests, two libraries) then
 * shares the metrics instead of throwing "already registered".
 *
 * @throws TypeError when the registry holds a metric of that name of another type or labels.
 */
export function registeredMetric<M>(
  registry: Registry,
  name: string,
  type: 'counter' | 'gauge' | 'histogram',
  labelNames: readonly string[],
  create: () => M,
): M {
  const existing = registry.getSingleMetric(name) as MetricShape | undefined;
  if (existing === undefined) return create();
  const existingLabels = [...(existing.labelNames ?? [])].sort().join(',');
  if (existing.type !== type || existingLabels !== [...labelNames].sort().join(',')) {
    throw new TypeError(
      `createMetricsCallbacks: the registry already has a metric "${name}" (${String(existing.type)} with labels [${existingLabels}]); ` +
        `bulwark needs a ${type} with labels [${labelNames.join(',')}]. Use another namespace or registry.`,
    );
  }
  return existing as M;
}
