import { BulwarkError, errorGuard } from '../core/index.js';

/** A supervisor had more failures than its budget allows and gave up, failing to its parent. */
export class MaxRestartsExceededError extends BulwarkError {
  constructor(
    /** The id of the supervisor that gave up. */
    readonly supervisorId: string,
    /** The failures counted inside the window. */
    readonly failures: number,
    /** The window the failures were counted in. */
    readonly withinTimeWindowMs: number,
    cause: unknown,
  ) {
    super(
      'MAX_RESTARTS_EXCEEDED',
      `Supervisor "${supervisorId}" had ${failures} failures within ${withinTimeWindowMs} ms and gave up`,
      { cause },
    );
    this.name = 'MaxRestartsExceededError';
  }
}
export const isMaxRestartsExceededError = errorGuard<MaxRestartsExceededError>('MAX_RESTARTS_EXCEEDED');

/** The actor was stopped (or stopped while the message waited), so the message was not handled. */
export class ActorStoppedError extends BulwarkError {
  constructor(readonly actorId: string) {
    super('ACTOR_STOPPED', `Actor "${actorId}" is stopped`);
    this.name = 'ActorStoppedError';
  }
}
export const isActorStoppedError = errorGuard<ActorStoppedError>('ACTOR_STOPPED');

/** An `ask` got no answer within its `timeoutMs`. */
export class AskTimeoutError extends BulwarkError {
  constructor(
    readonly actorId: string,
    readonly messageType: string,
    readonly timeoutMs: number,
  ) {
    super('ASK_TIMEOUT', `Actor "${actorId}" did not answer "${messageType}" within ${timeoutMs} ms`);
    this.name = 'AskTimeoutError';
  }
}
export const isAskTimeoutError = errorGuard<AskTimeoutError>('ASK_TIMEOUT');

/** A handler did not settle within `handlerTimeoutMs`; the actor is treated as failed. */
export class HandlerTimeoutError extends BulwarkError {
  constructor(
    readonly actorId: string,
    readonly messageType: string,
    readonly timeoutMs: number,
  ) {
    super('HANDLER_TIMEOUT', `Actor "${actorId}" did not finish "${messageType}" within ${timeoutMs} ms`);
    this.name = 'HandlerTimeoutError';
  }
}
export const isHandlerTimeoutError = errorGuard<HandlerTimeoutError>('HANDLER_TIMEOUT');

/** No live actor (or child) has the given id. */
export class ActorNotFoundError extends BulwarkError {
  constructor(readonly actorId: string) {
    super('ACTOR_NOT_FOUND', `No actor "${actorId}"`);
    this.name = 'ActorNotFoundError';
  }
}
export const isActorNotFoundError = errorGuard<ActorNotFoundError>('ACTOR_NOT_FOUND');

/** An actor id is already taken in the actor system. */
export class ActorAlreadyExistsError extends BulwarkError {
  constructor(readonly actorId: string) {
    super('ACTOR_ALREADY_EXISTS', `An actor "${actorId}" already exists`);
    this.name = 'ActorAlreadyExistsError';
  }
}
export const isActorAlreadyExistsError = errorGuard<ActorAlreadyExistsError>('ACTOR_ALREADY_EXISTS');

/** An actor's constructor or `preStart` threw, so it never started. */
export class ActorStartError extends BulwarkError {
  constructor(
    readonly actorId: string,
    cause: unknown,
  ) {
    super('ACTOR_START_FAILED', `Actor "${actorId}" failed to start`, { cause });
    this.name = 'ActorStartError';
  }
}
export const isActorStartError = errorGuard<ActorStartError>('ACTOR_START_FAILED');

/** The node (worker thread) that ran an actor died: an uncaught error, `process.exit` or a resource limit. */
export class NodeFailedError extends BulwarkError {
  constructor(
    readonly nodeId: string,
    readonly exitCode: number | undefined,
    cause?: unknown,
  ) {
    super(
      'NODE_FAILED',
      `Node "${nodeId}" died${exitCode === undefined ? '' : ` with exit code ${exitCode}`}`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'NodeFailedError';
  }
}
export const isNodeFailedError = errorGuard<NodeFailedError>('NODE_FAILED');

/** The actor system was shut down. */
export class ActorSystemShutdownError extends BulwarkError {
  constructor() {
    super('ACTOR_SYSTEM_SHUTDOWN', 'The actor system is shut down');
    this.name = 'ActorSystemShutdownError';
  }
}
export const isActorSystemShutdownError = errorGuard<ActorSystemShutdownError>('ACTOR_SYSTEM_SHUTDOWN');
