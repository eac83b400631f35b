/**
 * Actor supervision: actors with ordered mailboxes under OTP-style supervisors, with
 * restart budgets, backoff, escalation and relocation between worker-thread nodes.
 * @module
 */
export { Actor, type ActorClass, type ActorContext } from './actor.js';
export type { SentMessage } from './actor-cell.js';
export {
  type ActorInspection,
  inspectActor,
  listActors,
  observeMessages,
  pauseMailbox,
  replaceActorState,
  resumeMailbox,
} from './actor-control.js';
export {
  ActorRef,
  type AskOptions,
  type ChildCounts,
  type ChildInfo,
  type ChildOptions,
  type SupervisionStats,
  SupervisorRef,
} from './actor-ref.js';
export { ActorSystem, type ActorSystemOptions, getGlobalActorSystem } from './actor-system.js';
export {
  AllForOneStrategy,
  ChildStrategy,
  defaultDecide,
  OneForOneStrategy,
  RestForOneStrategy,
  type StrategyKind,
} from './child-strategies.js';
export { ChildStatus, LOCAL_NODE_ID, Placement, RestartPolicy, SupervisionDirective } from './constants.js';
export {
  ActorAlreadyExistsError,
  ActorNotFoundError,
  ActorStartError,
  ActorStoppedError,
  ActorSystemShutdownError,
  AskTimeoutError,
  HandlerTimeoutError,
  isActorAlreadyExistsError,
  isActorNotFoundError,
  isActorStartError,
  isActorStoppedError,
  isActorSystemShutdownError,
  isAskTimeoutError,
  isHandlerTimeoutError,
  isMaxRestartsExceededError,
  isNodeFailedError,
  MaxRestartsExceededError,
  NodeFailedError,
} from './errors.js';
export type { Decider, FailureInfo, FailureRecord } from './failure.js';
export { type FailureMatcher, type MatchStrategyOptions, matchStrategy } from './match-strategy.js';
export type { NodeOptions } from './nodes/node-pool.js';
export { RootSupervisor, type SignalHandlerOptions } from './root-supervisor.js';
export { type SupervisedOptions, supervised } from './supervised.js';
export { SupervisionStrategy, type SupervisionStrategyOptions } from './supervision-strategy.js';
export { SupervisorActor, type SupervisorOptions } from './supervisor-actor.js';
export type { DeadLetterEvent, FailureEvent } from './system-core.js';
