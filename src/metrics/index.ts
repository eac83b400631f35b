export {
  type CallOutcome,
  getMetricsCallbacks,
  type MetricsCallbacks,
  metricsCallbacks,
  type PolicyKind,
  setMetricsCallbacks,
} from './callbacks.js';
export { runMeasured } from './run-measured.js';
export { bucketsRule, circuitStateValues, defaultDurationBuckets, forEachStateSeries } from './series.js';
