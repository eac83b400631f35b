import {
  type PassesSignal,
  type PolicyFaces,
  type PolicyFunction,
  policyFaces,
  rules,
  validateConfig,
  type WrapOptions,
} from '../core/index.js';
import { type RetryConfig, RetryPolicy, retryConfigSchema } from './retry-policy.js';

/** Options of {@link withRetry}: a {@link RetryConfig} plus `passSignal`. */
export interface WithRetryOptions extends RetryConfig, WrapOptions {}

const withRetrySchema = { ...retryConfigSchema, passSignal: rules.boolean };

/**
 * Retries the wrapped function with backoff: a method decorator (`@withRetry(3)`) or a
 * higher-order function (`withRetry(3)(fn)`). Given a number, it is `maxRetries`. Metrics
 * name the operation `Class.method` (or the function's name) unless `name` is set.
 *
 * @example
 * class Inventory {
 *   @withRetry({ maxRetries: 2, retryIf: (error) => isTransient(error) })
 *   async stock(sku: string) { ... }
 * }
 * const stockOf = withRetry(2)((sku: string) => warehouse.stock(sku));
 * @throws TypeError or RangeError naming the invalid option.
 */
export function withRetry<O extends WithRetryOptions = WithRetryOptions>(
  config?: O | number,
): PolicyFaces<true, PassesSignal<O>> {
  const options: WithRetryOptions = typeof config === 'number' ? { maxRetries: config } : (config ?? {});
  validateConfig<WithRetryOptions>('RetryConfig', options, withRetrySchema);
  const { passSignal, ...retryConfig } = options;
  const shared = new RetryPolicy(retryConfig);
  return policyFaces(
    'withRetry',
    { policy: 'retry', options },
    (site) => {
      if (retryConfig.name !== undefined) return () => shared;
      let named: RetryPolicy | undefined;
      return (self) => (named ??= new RetryPolicy({ ...retryConfig, name: site.qualifiedName(self) }));
    },
    passSignal,
  );
}

/**
 * Runs `fn(ctx)` now, retrying it as a {@link RetryPolicy} with `config` would.
 *
 * @example
 * const rates = await retry(({ signal }) => fetchRates({ signal }), { maxRetries: 5, strategy: 'decorrelated' });
 * @throws TypeError or RangeError naming the invalid option.
 */
export function retry<T>(fn: PolicyFunction<T>, config?: RetryConfig | number): Promise<T> {
  return new RetryPolicy(typeof config === 'number' ? { maxRetries: config } : config).execute(fn);
}
