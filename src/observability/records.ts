/** What one actor looked like at one moment. */
export interface ActorSnapshot {
  readonly actorId: string;
  /** When it was taken, in ms on the collector's clock. */
  readonly timestamp: number;
  /** The actor's lifecycle status (`running`, `paused`, `failed`, `stopped`, ...). */
  readonly state: string;
  /** Messages waiting in its mailbox. */
  readonly mailboxSize: number;
  /** Messages handled per second. */
  readonly messageRate: number;
  /** The fraction of handled messages that failed, 0..1. */
  readonly errorRate: number;
  /** An estimate of its state's size in bytes; 0 when not measured. */
  readonly memoryUsage: number;
  /** Whatever the actor reports through `getCustomMetrics()`. */
  readonly customMetrics: Readonly<Record<string, unknown>>;
  /** The ids of the actors it has recently sent messages to. */
  readonly relationships: readonly string[];
}

/** One message sent from one actor (or `external`) to another. */
export interface MessageFlow {
  readonly source: string;
  readonly destination: string;
  readonly messageType: string;
  readonly timestamp: number;
  /** Ties the messages of one conversation together. */
  readonly correlationId: string;
  /** How long the message took, when known. */
  readonly latencyMs: number | undefined;
  /** An estimate of the payload's size in bytes; 0 when not measured. */
  readonly payloadSize: number;
}

/** A behaviour of the whole system that no single actor shows, found by a pattern detector. */
export interface EmergentPattern {
  /** Stable for the same type and actors, so a pattern seen again is updated, not duplicated. */
  readonly patternId: string;
  /** `hotspot`, `cascade`, or what a registered detector reports. */
  readonly patternType: string;
  /** The actors involved; for a cascade, in the order they failed. */
  readonly involvedActors: readonly string[];
  /** How sure the detector is, 0..1. */
  readonly confidence: number;
  readonly description: string;
  readonly firstDetected: number;
  readonly lastObserved: number;
  /** How many detection rounds found it. */
  readonly occurrenceCount: number;
}

/** Something that happened to the system, such as an actor failure or a steering action. */
export interface SystemEvent {
  readonly eventType: string;
  readonly timestamp: number;
  readonly data: Readonly<Record<string, unknown>>;
}

/** What {@link ObservabilityCollector.recordActorSnapshot} accepts: the id, plus any fields to set. */
export type ActorSnapshotInput = Pick<ActorSnapshot, 'actorId'> & {
  readonly [K in Exclude<keyof ActorSnapshot, 'actorId'>]?: ActorSnapshot[K] | undefined;
};

/** What {@link ObservabilityCollector.recordMessageFlow} accepts: the ends and type, plus any fields to set. */
export type MessageFlowInput = Pick<MessageFlow, 'source' | 'destination' | 'messageType'> & {
  readonly [K in Exclude<keyof MessageFlow, 'source' | 'destination' | 'messageType'>]?:
    | MessageFlow[K]
    | undefined;
};
