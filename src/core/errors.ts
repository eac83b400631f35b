const brand = Symbol.for('bulwark.error');

/**
 * The base of every error bulwark throws. `code` is stable public API; check it (or use
 * the `isXxxError` guards) rather than `instanceof`, which fails across two installed
 * copies of the package.
 */
export class BulwarkError extends Error {
  /** A stable, machine-readable identifier of the failure mode. */
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = 'BulwarkError';
  }

  static {
    Object.defineProperty(BulwarkError.prototype, brand, { value: true });
  }
}

/** Whether `value` is an error thrown by any copy of bulwark. */
export function isBulwarkError(value: unknown): value is BulwarkError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** Builds a type guard that recognises a bulwark error by its `code`, across package copies. */
export function errorGuard<E extends BulwarkError>(code: string): (value: unknown) => value is E {
  return (value): value is E => isBulwarkError(value) && value.code === code;
}

/**
 * Constructs an error without capturing a stack trace. Used on fast paths (a rejection by
 * an open breaker or a full bulkhead) where the trace would cost more than the call.
 */
export function withoutStackTrace<E>(create: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return create();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
