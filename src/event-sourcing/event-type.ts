/** What an actor's built-in event records. Stores accept any other string as a domain event type. */
export const EventType = Object.freeze({
  ACTOR_CREATED: 'actor_created',
  ACTOR_DESTROYED: 'actor_destroyed',
  MESSAGE_SENT: 'message_sent',
  MESSAGE_PROCESSED: 'message_processed',
  STATE_CHANGED: 'state_changed',
  SNAPSHOT_TAKEN: 'snapshot_taken',
  FAILURE_OCCURRED: 'failure_occurred',
} as const);

/** One of the {@link EventType} values. */
export type EventType = (typeof EventType)[keyof typeof EventType];
