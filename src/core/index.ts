export { abortableSleep, CallSignal, neverAbortedSignal, onAbort } from './abort.js';
export { attemptStart } from './attempt-start.js';
export {
  type Chain,
  type ChainablePolicy,
  type Continuation,
  invoke,
  isThenable,
  runChained,
  Settlement,
  settle,
  settledPromise,
} from './chain.js';
export { type Clock, keepAlive, systemClock, type TimerHandle } from './clock.js';
export {
  type AnyClass,
  type AnyMethod,
  type CallSite,
  type ClassDecorator,
  decorateClass,
  decorateMethod,
  functionSite,
  isDecoratorContext,
  type MethodDecorator,
} from './decorate.js';
export { type Disposable, toDisposable } from './disposable.js';
export { BulwarkError, errorGuard, isBulwarkError, withoutStackTrace } from './errors.js';
export { type Event, EventEmitter, type Listener } from './events.js';
export { abortOf, hasLazySignal, type LazySignalContext, peekAbort } from './lazy-signal.js';
export {
  getResilienceMetadata,
  type PolicyMetadata,
  REFLECT_METADATA_KEY,
  type ResilienceMetadata,
} from './metadata.js';
export {
  contextFor,
  executeSyncCapable,
  firstAttemptContext,
  isPolicy,
  Pipeline,
  type Policy,
  type PolicyContext,
  type PolicyFunction,
  pipeline,
  run,
  runSync,
  runUnchained,
  type SyncCapablePolicy,
  withAttempt,
} from './policy.js';
export { MAX_TIMER_MS, type Rule, rules, type Schema, validateConfig } from './validate.js';
export {
  type PassesSignal,
  type PolicyFaces,
  type PolicyResolver,
  policyFaces,
  type WrapOptions,
  wrapWithPolicy,
} from './wrap.js';
