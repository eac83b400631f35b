/** How much an {@link ObservabilityCollector} records. */
export const ObservabilityLevel = Object.freeze({
  /** Actor snapshots and system events only. */
  BASIC: 'basic',
  /** Adds the message flow between actors. */
  DETAILED: 'detailed',
  /** Adds size estimates of actor state and message payloads (costs a serialisation each). */
  FULL: 'full',
  /** Everything `FULL` records, for a system that is also steered at run time. */
  INTERACTIVE: 'interactive',
} as const);
export type ObservabilityLevel = (typeof ObservabilityLevel)[keyof typeof ObservabilityLevel];

/** The health of an observed system, as judged by {@link ObservabilityCollector.getSystemOverview}. */
export const SystemHealth = Object.freeze({
  HEALTHY: 'healthy',
  /** Errors above 10 % or an active emergent pattern such as a hotspot. */
  DEGRADED: 'degraded',
  /** Errors above 50 % or an active failure cascade. */
  CRITICAL: 'critical',
  /** Nothing observed yet. */
  UNKNOWN: 'unknown',
} as const);
export type SystemHealth = (typeof SystemHealth)[keyof typeof SystemHealth];
