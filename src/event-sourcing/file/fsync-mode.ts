/** When an append is made durable. */
export const FsyncMode = Object.freeze({
  /** Concurrent appends share one `fdatasync`; each resolves once the sync covering it is done. */
  BATCH: 'batch',
  /** One `fdatasync` per append. */
  ALWAYS: 'always',
  /** Appends resolve once written to the OS: they survive a process crash, not a power loss. */
  NEVER: 'never',
} as const);

/** One of the {@link FsyncMode} values. */
export type FsyncMode = (typeof FsyncMode)[keyof typeof FsyncMode];
