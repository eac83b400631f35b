import {
  type PassesSignal,
  type PolicyFaces,
  type PolicyFunction,
  policyFaces,
  rules,
  type WrapOptions,
} from '../core/index.js';
import {
  type TimeoutOptions,
  TimeoutPolicy,
  timeoutOptions,
  timeoutOptionsSchema,
} from './timeout-policy.js';

/** Options of {@link withTimeout}: {@link TimeoutOptions} plus `passSignal`. */
export interface WithTimeoutOptions extends TimeoutOptions, WrapOptions {}

const withTimeoutSchema = { ...timeoutOptionsSchema, passSignal: rules.boolean };

/**
 * Bounds how long the wrapped function may take: a method decorator (`@withTimeout(2000)`)
 * or a higher-order function (`withTimeout(2000)(fn)`). With `passSignal: true` the call's
 * `AbortSignal`, which aborts at the deadline, is appended as one extra last argument.
 * Metrics name the operation `Class.method` (or the function's name) unless `name` is set.
 *
 * @example
 * class Search {
 *   @withTimeout({ ms: 500, fallback: [], passSignal: true })
 *   async query(text: string, signal?: AbortSignal) { return index.search(text, { signal }); }
 * }
 * @throws TypeError or RangeError naming the invalid option.
 */
export function withTimeout<O extends WithTimeoutOptions = WithTimeoutOptions>(
  msOrOptions: number | O,
): PolicyFaces<true, PassesSignal<O>> {
  const options: WithTimeoutOptions = timeoutOptions(msOrOptions, withTimeoutSchema);
  const { passSignal, ...policyOptions } = options;
  const shared = new TimeoutPolicy(policyOptions);
  return policyFaces(
    'withTimeout',
    { policy: 'timeout', options },
    (site) => {
      if (policyOptions.name !== undefined) return () => shared;
      let named: TimeoutPolicy | undefined;
      return (self) => (named ??= new TimeoutPolicy({ ...policyOptions, name: site.qualifiedName(self) }));
    },
    passSignal,
  );
}

/**
 * Runs `fn(ctx)` now, bounded as a {@link TimeoutPolicy} with `msOrOptions` would bound it.
 *
 * @example
 * const quote = await timeout(({ signal }) => pricing.quote(cart, { signal }), 300);
 * @throws TypeError or RangeError naming the invalid option.
 */
export function timeout<T>(fn: PolicyFunction<T>, msOrOptions: number | TimeoutOptions): Promise<T> {
  return new TimeoutPolicy(msOrOptions).execute(fn);
}
