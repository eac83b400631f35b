import { type PassesSignal, type PolicyFaces, policyFaces, type WrapOptions } from '../core/index.js';
import { type HedgeOptions, HedgePolicy } from './hedge-policy.js';

/** Options of {@link withHedge}: the hedge's options plus `passSignal`. */
export interface WithHedgeOptions extends HedgeOptions, WrapOptions {}

/**
 * Hedges slow calls of the wrapped function: a method decorator
 * (`@withHedge({ delayMs: 50 })`) or a higher-order function. Set `passSignal: true` so
 * each attempt receives its own `AbortSignal`, aborted when another attempt wins.
 *
 * @example
 * const lookup = withHedge({ delayMs: 30, passSignal: true })(
 *   (key: string, signal: AbortSignal) => cache.get(key, { signal }),
 * );
 *
 * @throws TypeError or RangeError when an option is missing or invalid.
 */
export function withHedge<O extends WithHedgeOptions>(
  options: O | HedgePolicy,
): PolicyFaces<true, PassesSignal<O>> {
  let policy: HedgePolicy;
  let passSignal: boolean | undefined;
  if (options instanceof HedgePolicy) policy = options;
  else {
    const { passSignal: pass, ...config } = options ?? ({} as O);
    if (pass !== undefined && typeof pass !== 'boolean') {
      throw new TypeError(`WithHedgeOptions.passSignal must be a boolean, received ${typeof pass}`);
    }
    passSignal = pass;
    policy = new HedgePolicy(config);
  }
  return policyFaces(
    'withHedge',
    { policy: 'hedge', options: options instanceof HedgePolicy ? { name: policy.name } : options },
    () => () => policy,
    passSignal,
  );
}
