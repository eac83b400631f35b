import { type PassesSignal, type PolicyFaces, policyFaces, type WrapOptions } from '../core/index.js';
import { Bulkhead, type BulkheadOptions } from './bulkhead.js';

/** Options of {@link withBulkhead}: the bulkhead's options plus `passSignal`. */
export interface WithBulkheadOptions extends BulkheadOptions, WrapOptions {}

/**
 * Limits how many calls of the wrapped function run at once: a method decorator
 * (`@withBulkhead({ maxConcurrent: 4 })`) or a higher-order function
 * (`withBulkhead({ maxConcurrent: 4 })(fn)`). Each wrapped function or decorated method
 * gets one bulkhead shared by all its callers and instances; pass a {@link Bulkhead} to
 * share one between several functions.
 *
 * @example
 * class Reports {
 *   @withBulkhead({ maxConcurrent: 2, maxQueue: 10, queueTimeoutMs: 5000 })
 *   async render(id: string) { ... }
 * }
 *
 * @throws TypeError or RangeError when an option is missing or invalid.
 */
export function withBulkhead<O extends WithBulkheadOptions>(
  options: O | Bulkhead | number,
): PolicyFaces<true, PassesSignal<O>> {
  let bulkhead: Bulkhead;
  let passSignal: boolean | undefined;
  if (options instanceof Bulkhead) bulkhead = options;
  else if (typeof options === 'number') bulkhead = new Bulkhead(options);
  else {
    const { passSignal: pass, ...config } = options ?? ({} as O);
    if (pass !== undefined && typeof pass !== 'boolean') {
      throw new TypeError(`WithBulkheadOptions.passSignal must be a boolean, received ${typeof pass}`);
    }
    passSignal = pass;
    bulkhead = new Bulkhead(config);
  }
  return policyFaces(
    'withBulkhead',
    { policy: 'bulkhead', options: options instanceof Bulkhead ? { name: bulkhead.name } : options },
    () => () => bulkhead,
    passSignal,
  );
}
