import { BulwarkError, errorGuard } from '../core/index.js';

/**
 * A call to a quarantined actor was refused without reaching it. Created without a stack
 * trace by `protectedCall`: failing fast is the point of a quarantine.
 */
export class ActorQuarantinedError extends BulwarkError {
  /** The quarantined actor. */
  readonly actorId: string;
  /** How long until the quarantine ends; `Infinity` until it is lifted by hand. */
  readonly retryAfterMs: number;
  /** Why the actor was quarantined. */
  readonly reason: string;

  constructor(actorId: string, retryAfterMs: number, reason: string) {
    super(
      'ACTOR_QUARANTINED',
      `Actor "${actorId}" is quarantined (${reason})${
        Number.isFinite(retryAfterMs) ? `; retry after ${retryAfterMs} ms` : ''
      }`,
    );
    this.name = 'ActorQuarantinedError';
    this.actorId = actorId;
    this.retryAfterMs = retryAfterMs;
    this.reason = reason;
  }
}

/** Whether `value` is an {@link ActorQuarantinedError}, from any copy of bulwark. */
export const isActorQuarantinedError = errorGuard<ActorQuarantinedError>('ACTOR_QUARANTINED');

/** A call was refused because the actor's metrics are far outside their recent range. */
export class AnomalyDetectedError extends BulwarkError {
  /** The anomalous actor. */
  readonly actorId: string;
  /** The actor's anomaly score (0..1) when the call was refused. */
  readonly score: number;
  /** The anomalous metrics: `[metricName, zScore]`. */
  readonly anomalies: readonly (readonly [metricName: string, zScore: number])[];

  constructor(actorId: string, score: number, anomalies: readonly (readonly [string, number])[]) {
    const names = anomalies.map(([metricName]) => metricName).join(', ');
    super(
      'ANOMALY_DETECTED',
      `Actor "${actorId}" behaves anomalously (score ${score.toFixed(3)}${names ? `: ${names}` : ''})`,
    );
    this.name = 'AnomalyDetectedError';
    this.actorId = actorId;
    this.score = score;
    this.anomalies = anomalies;
  }
}

/** Whether `value` is an {@link AnomalyDetectedError}, from any copy of bulwark. */
export const isAnomalyDetectedError = errorGuard<AnomalyDetectedError>('ANOMALY_DETECTED');
