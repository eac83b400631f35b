export {
  type CallOutcome,
  getMetricsCallbacks,
  type MetricsCallbacks,
  metricsCallbacks,
  type PolicyKind,
  setMetricsCallbacks,
} from './callbacks.js';
export { bucketsRule, circuitStateValues, defaultDurationBuckets, forEachStateSeries } from './series.js';
