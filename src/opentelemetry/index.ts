/**
 * OpenTelemetry metrics for bulwark's policies and health checks, recorded into a `Meter`
 * from `@opentelemetry/api` (an optional peer dependency loaded only by this entry point).
 * @module
 */
export { instrumentOpenTelemetry, type OpenTelemetryMetricsOptions } from './instrument-open-telemetry.js';
