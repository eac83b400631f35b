/** What a supervisor does with a failed child. */
export const SupervisionDirective = Object.freeze({
  /** Keep the instance and its state; the failing message is dropped. */
  RESUME: 'resume',
  /** Replace the instance with a fresh one built by the constructor. */
  RESTART: 'restart',
  /** Stop the child for good and remove it. */
  STOP: 'stop',
  /** Fail the supervisor itself with the child's error, for its parent to handle. */
  ESCALATE: 'escalate',
  /** Restart the child on another node chosen by the placement strategy. */
  RELOCATE: 'relocate',
} as const);
export type SupervisionDirective = (typeof SupervisionDirective)[keyof typeof SupervisionDirective];

/** When a child is restarted. */
export const RestartPolicy = Object.freeze({
  /** Never restarted; removed when it exits for any reason. */
  NEVER: 'never',
  /** Restarted after every failure, never escalating for the restart budget. */
  ALWAYS: 'always',
  /** Restarted after a failure, within the restart budget. */
  ON_FAILURE: 'on_failure',
  /** Restarted after a failure (within the budget) and also after a normal stop. */
  ON_STOP: 'on_stop',
} as const);
export type RestartPolicy = (typeof RestartPolicy)[keyof typeof RestartPolicy];

/** How a node is chosen for an actor that is placed or relocated. */
export const Placement = Object.freeze({
  ROUND_ROBIN: 'round_robin',
  /** The node whose actors have the fewest queued and in-flight messages. */
  LEAST_LOADED: 'least_loaded',
  RANDOM: 'random',
} as const);
export type Placement = (typeof Placement)[keyof typeof Placement];

/** Where a child is in its life, as reported by `whichChildren()`. */
export const ChildStatus = Object.freeze({
  STARTING: 'starting',
  RUNNING: 'running',
  /** Failed; its supervisor is deciding what to do. Messages wait. */
  FAILED: 'failed',
  /** Being restarted or backing off before a restart. Messages wait. */
  RESTARTING: 'restarting',
  /** Moving to another node. Messages wait. */
  RELOCATING: 'relocating',
  STOPPING: 'stopping',
  /** Stopped; the child's spec is kept so `restartChild(id)` can start it again. */
  STOPPED: 'stopped',
} as const);
export type ChildStatus = (typeof ChildStatus)[keyof typeof ChildStatus];

/** The id of the node that runs actors in the main thread. */
export const LOCAL_NODE_ID = 'local';
