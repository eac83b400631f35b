export {
  type CallOutcome,
  getMetricsCallbacks,
  type MetricsCallbacks,
  metricsCallbacks,
  type PolicyKind,
  setMetricsCallbacks,
} from './callbacks.js';
