export { type Fallback, type FallbackOptions, FallbackPolicy } from './fallback-policy.js';
export { withFallback } from './with-fallback.js';
