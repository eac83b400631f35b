/**
 * Event sourcing: events, the `EventStore` contract with in-memory and file-backed stores,
 * snapshots and replay.
 * @module
 */

export { EventSourcedActor, eventSourced } from './actor/event-sourced-actor.js';
export type {
  EventSourced,
  EventSourcedOptions,
  ReplayHistoryOptions,
  StateChange,
} from './actor/event-sourcing.js';
export {
  type DebuggingCheckpoint,
  ReplayController,
  type ReplayScenarioOptions,
  type ScenarioReplay,
} from './actor/replay-controller.js';
export {
  EventStoreLockedError,
  EventStoreUnavailableError,
  ExpectedVersionConflictError,
  isEventStoreLockedError,
  isEventStoreUnavailableError,
  isExpectedVersionConflictError,
  isSnapshotIntegrityError,
  SnapshotIntegrityError,
} from './errors.js';
export { Event, type EventInit, type EventJSON, type EventTypeName, type RecordedEvent } from './event.js';
export type {
  AppendOptions,
  AppendResult,
  EventStore,
  ReadAllOptions,
  ReadStreamOptions,
  TimeRange,
} from './event-store.js';
export { EventType } from './event-type.js';
export type { ExpectedVersion } from './expected-version.js';
export {
  type CorruptionReport,
  FileEventStore,
  type FileEventStoreConfig,
} from './file/file-event-store.js';
export { FsyncMode } from './file/fsync-mode.js';
export { MemoryEventStore, type MemoryEventStoreConfig } from './memory-event-store.js';
export type { ReplayOptions } from './replay.js';
export {
  ActorStateSnapshot,
  type ActorStateSnapshotInit,
  type ActorStateSnapshotJSON,
  type CreateSnapshotOptions,
  type SnapshotSubject,
} from './snapshots/actor-state-snapshot.js';
export {
  FileSnapshotStore,
  type FileSnapshotStoreConfig,
  SnapshotStore,
} from './snapshots/file-snapshot-store.js';
export { MemorySnapshotStore, type MemorySnapshotStoreConfig } from './snapshots/memory-snapshot-store.js';
