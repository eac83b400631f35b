import { type PassesSignal, type PolicyFaces, policyFaces } from '../core/index.js';
import { type Fallback, type FallbackOptions, FallbackPolicy } from './fallback-policy.js';

/**
 * Answers with `fallback` when the wrapped function fails: a method decorator
 * (`@withFallback([])`) or a higher-order function (`withFallback([])(fn)`).
 *
 * @example
 * class Catalog {
 *   @withFallback(() => [], { on: (error) => isCircuitBreakerOpenError(error) })
 *   async recommendations(userId: string) { ... }
 * }
 */
export function withFallback<R, O extends FallbackOptions = FallbackOptions>(
  fallback: Fallback<R>,
  options?: O,
): PolicyFaces<false, PassesSignal<O>> {
  const policy = new FallbackPolicy(fallback, options);
  return policyFaces(
    'withFallback',
    { policy: 'fallback', options: { ...options, fallback } },
    () => () => policy,
    options?.passSignal,
  );
}
