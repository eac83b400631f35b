/**
 * Bulkhead: a bounded number of concurrent calls with a bounded FIFO queue.
 * @module
 */
export { Bulkhead, type BulkheadOptions, type BulkheadStats } from './bulkhead.js';
export {
  BulkheadRejectedError,
  BulkheadRejectionReason,
  isBulkheadRejectedError,
} from './bulkhead-rejected-error.js';
export { type WithBulkheadOptions, withBulkhead } from './with-bulkhead.js';
