/**
 * Prometheus metrics for bulwark's policies and health checks, backed by prom-client (an
 * optional peer dependency loaded only by this entry point).
 * @module
 */
export { createMetricsCallbacks, type PrometheusMetricsOptions } from './create-metrics-callbacks.js';
