/**
 * Test helpers: a virtual clock to drive time deterministically, and fault injection to
 * rehearse failures.
 * @module
 */
export {
  type FaultInjectionOptions,
  FaultInjectionPolicy,
  InjectedFaultError,
  injectFault,
  injectLatency,
  isInjectedFaultError,
  type LatencyInjectionOptions,
  LatencyInjectionPolicy,
  withInjectedFault,
  withInjectedLatency,
} from './fault-injection.js';
export { VirtualClock } from './virtual-clock.js';
