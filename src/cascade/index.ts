/**
 * Cascade prevention: anomaly detection over actor metrics, failure-propagation tracking
 * with quarantine, consensus among replicas, and per-actor circuit breakers tying them together.
 * @module
 */
export {
  type Anomaly,
  AnomalyDetector,
  type AnomalyDetectorConfig,
  type MetricStats,
} from './anomaly-detector.js';
export {
  type CascadeActorStatus,
  type CascadeActorSystem,
  type CascadeEventSink,
  type CascadePreventionConfig,
  CascadePreventionSystem,
  type CascadeSystemStatus,
  type EmergencyModeChange,
  type ProtectedCallOptions,
  RESPONSE_TIME_METRIC,
} from './cascade-prevention-system.js';
export {
  type ActorRefLike,
  type ConsensusOptions,
  type ConsensusOutcome,
  type ConsensusQuery,
  ConsensusValidator,
  type ConsensusValidatorConfig,
  type ConsensusVote,
} from './consensus-validator.js';
export {
  ActorQuarantinedError,
  AnomalyDetectedError,
  isActorQuarantinedError,
  isAnomalyDetectedError,
} from './errors.js';
export {
  type CascadeFailureRecord,
  ErrorPropagationTracker,
  type ErrorPropagationTrackerConfig,
  type PropagationAnalysis,
  type PropagationEdge,
  type PropagationSource,
  type QuarantineInfo,
  type QuarantineOptions,
  type TrackedFailure,
} from './propagation-tracker.js';
