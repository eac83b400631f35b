import { BulwarkError, errorGuard } from '../core/index.js';

/** Why a bulkhead refused a call: no slot and no queue room, or the queued call waited too long. */
export type BulkheadRejectionReason = 'full' | 'queue_timeout';

/** Why a bulkhead refused a call, as a frozen object of its string values. */
export const BulkheadRejectionReason = Object.freeze({
  FULL: 'full',
  QUEUE_TIMEOUT: 'queue_timeout',
} as const);

/** Thrown when a bulkhead has no free slot and no queue room, or a queued call waited past `queueTimeoutMs`. */
export class BulkheadRejectedError extends BulwarkError {
  /** The bulkhead's name. */
  readonly bulkheadName: string;
  /** The concurrency limit in force when the call was refused. */
  readonly maxConcurrent: number;
  /** Whether the bulkhead was full or the call timed out in its queue. */
  readonly reason: BulkheadRejectionReason;

  constructor(bulkheadName: string, maxConcurrent: number, reason: BulkheadRejectionReason = 'full') {
    super(
      'BULKHEAD_FULL',
      reason === 'full'
        ? `Bulkhead "${bulkheadName}" is full (${maxConcurrent} concurrent calls and no queue room)`
        : `Bulkhead "${bulkheadName}" queue wait timed out before one of ${maxConcurrent} slots freed`,
    );
    this.name = 'BulkheadRejectedError';
    this.bulkheadName = bulkheadName;
    this.maxConcurrent = maxConcurrent;
    this.reason = reason;
  }
}

/** Whether `value` is a {@link BulkheadRejectedError} from any copy of bulwark. */
export const isBulkheadRejectedError = errorGuard<BulkheadRejectedError>('BULKHEAD_FULL');
