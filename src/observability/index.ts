/**
 * Observability and steering: snapshots, message flows and emergent patterns of an actor
 * system, interventions at run time, and a live dashboard.
 * @module
 */
export type { DashboardServeOptions, DashboardServer } from './dashboard-server.js';
export { isSteeringPolicyNotFoundError, SteeringPolicyNotFoundError } from './errors.js';
export { ObservabilityLevel, SystemHealth } from './levels.js';
export {
  ObservabilityCollector,
  type ObservabilityCollectorConfig,
  type SystemOverview,
} from './observability-collector.js';
export {
  type ActorGraph,
  type ActorGraphEdge,
  type ActorGraphNode,
  ObservabilityDashboard,
  type PatternSummary,
  type Visualization,
} from './observability-dashboard.js';
export { ObservableActor, observable } from './observable.js';
export type { ObservationWindow, PatternCandidate, PatternDetector } from './pattern-detectors.js';
export type {
  ActorSnapshot,
  ActorSnapshotInput,
  EmergentPattern,
  MessageFlow,
  MessageFlowInput,
  SystemEvent,
} from './records.js';
export {
  type SteeringActionEvent,
  SteeringController,
  type SteeringControllerOptions,
  type SteeringPolicy,
} from './steering-controller.js';
