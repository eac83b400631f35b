/**
 * Test helpers: a virtual clock to drive time deterministically.
 * @module
 */
export { VirtualClock } from './virtual-clock.js';
