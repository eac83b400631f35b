/**
 * Hedging: start another attempt when one is slow, keep the first success.
 * @module
 */
export { HedgeLostError, isHedgeLostError } from './hedge-lost-error.js';
export { type HedgeOptions, HedgePolicy } from './hedge-policy.js';
export { type WithHedgeOptions, withHedge } from './with-hedge.js';
