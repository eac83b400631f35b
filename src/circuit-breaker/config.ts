import {
  type Clock,
  MAX_TIMER_MS,
  type Rule,
  rules,
  type Schema,
  systemClock,
  validateConfig,
} from '../core/index.js';
import { type BreakerStateStore, stateStoreRule } from './state-store.js';

/** An error class, as listed in `ignoreErrors` and `recordErrors`. */
export type ErrorClass = abstract new (...args: any[]) => unknown;

/** The window over which failure and slow-call rates are computed. */
export interface SlidingWindowConfig {
  /**
   * `'count'` keeps the last `size` calls; `'time'` keeps the calls of the last `size` ms,
   * in 10 buckets of `size / 10` ms each.
   * @default 'count'
   */
  type?: 'count' | 'time' | undefined;
  /**
   * Calls (count window) or milliseconds (time window).
   * @default 100 for a count window, 60000 for a time window
   */
  size?: number | undefined;
}

/** Options of a {@link CircuitBreaker}. Every field is optional. */
export interface CircuitBreakerConfig {
  /**
   * Consecutive failures that open the breaker.
   * @default 5
   */
  failureThreshold?: number | undefined;
  /**
   * Successful trial calls in half-open that close the breaker.
   * @default 3
   */
  successThreshold?: number | undefined;
  /**
   * How long the breaker stays open before it lets trial calls through.
   * @default 60000
   */
  cooldownMs?: number | undefined;
  /**
   * Trial calls that may run at once while half-open; others are rejected.
   * @default 3
   */
  halfOpenMaxRequests?: number | undefined;
  /**
   * The window over which rates are computed.
   * @default { type: 'count', size: 100 }
   */
  slidingWindow?: SlidingWindowConfig | undefined;
  /**
   * The failure rate (0..1] over the window that opens the breaker, compared with `>=`.
   * @default 0.5
   */
  failureRateThreshold?: number | undefined;
  /**
   * Calls the window must hold before rates are evaluated (capped at a count window's size).
   * @default 10
   */
  minimumNumberOfCalls?: number | undefined;
  /**
   * A call that takes strictly longer than this is slow. `Infinity` turns slow-call
   * detection off, and with it the clock reads on the closed path.
   * @default 1000
   */
  slowCallDurationMs?: number | undefined;
  /**
   * The slow-call rate (0..1] over the window that opens the breaker, compared with `>=`.
   * @default 1
   */
  slowCallRateThreshold?: number | undefined;
  /**
   * When set, a call still running after this long fails with a `CircuitBreakerTimeoutError`
   * (a `FailureType.TIMEOUT` failure) and its own signal is aborted.
   * @default undefined
   */
  timeoutMs?: number | undefined;
  /**
   * Whether an error counts as a failure; an error for which it returns `false` counts as a success.
   * @default every error is a failure
   */
  isFailure?: ((error: unknown) => boolean) | undefined;
  /**
   * Error classes that count as nothing: not a call, not a failure; a trial slot is given back.
   * @default []
   */
  ignoreErrors?: readonly ErrorClass[] | undefined;
  /**
   * When set, only errors of these classes are failures; other errors count as successes.
   * @default every error is recorded
   */
  recordErrors?: readonly ErrorClass[] | undefined;
  /**
   * Whether a returned value counts as a failure (an HTTP 503 response, say).
   * @default no result is a failure
   */
  isFailureResult?: ((result: unknown) => boolean) | undefined;
  /**
   * A trial slot held longer than this is freed, so a trial call that never reports back
   * cannot wedge the breaker half-open. `Infinity` never frees slots.
   * @default 60000
   */
  maxWaitInHalfOpenMs?: number | undefined;
  /**
   * Grow the cooldown on every trip that follows a failed trial, by `backoffMultiplier`, up to `maxCooldownMs`.
   * @default false
   */
  exponentialBackoff?: boolean | undefined;
  /**
   * The factor by which the cooldown grows on repeated trips.
   * @default 2
   */
  backoffMultiplier?: number | undefined;
  /**
   * The longest cooldown exponential backoff may reach.
   * @default 300000
   */
  maxCooldownMs?: number | undefined;
  /**
   * Randomises each cooldown by up to ± this fraction, so breakers in many processes do not probe at once.
   * @default 0
   */
  jitter?: number | undefined;
  /**
   * Let the failure-rate threshold follow the breaker's long-run failure rate, so a
   * dependency that is always a little noisy does not trip while a real jump still does.
   * @default false
   */
  adaptiveThresholds?: boolean | undefined;
  /**
   * How often attached health checks run. Without it, checks run only when `runHealthChecks()` is called.
   * @default undefined
   */
  healthCheckIntervalMs?: number | undefined;
  /**
   * While open, passing health checks move the breaker to half-open before the cooldown ends.
   * @default false
   */
  autoHealing?: boolean | undefined;
  /**
   * The source of time.
   * @default systemClock
   */
  clock?: Clock | undefined;
  /**
   * Shares this breaker's state with breakers of the same name in other processes
   * (`RedisBreakerStateStore` from `bulwark/redis`).
   * @default undefined (state is local to the breaker)
   */
  stateStore?: BreakerStateStore | undefined;
}

/** A configuration with every default applied. */
export interface ResolvedConfig {
  readonly failureThreshold: number;
  readonly successThreshold: number;
  readonly cooldownMs: number;
  readonly halfOpenMaxRequests: number;
  readonly windowType: 'count' | 'time';
  readonly windowSize: number;
  readonly failureRateThreshold: number;
  /** Already capped at the size of a count window. */
  readonly minimumNumberOfCalls: number;
  readonly slowCallDurationMs: number;
  readonly slowCallRateThreshold: number;
  readonly timeoutMs: number | undefined;
  readonly isFailure: ((error: unknown) => boolean) | undefined;
  readonly ignoreErrors: readonly ErrorClass[] | undefined;
  readonly recordErrors: readonly ErrorClass[] | undefined;
  readonly isFailureResult: ((result: unknown) => boolean) | undefined;
  readonly maxWaitInHalfOpenMs: number;
  readonly exponentialBackoff: boolean;
  readonly backoffMultiplier: number;
  readonly maxCooldownMs: number;
  readonly jitter: number;
  readonly adaptiveThresholds: boolean;
  readonly healthCheckIntervalMs: number | undefined;
  readonly autoHealing: boolean;
  readonly clock: Clock;
  readonly stateStore: BreakerStateStore | undefined;
}

const rate: Rule = {
  expected: 'a number greater than 0 and at most 1',
  type: 'range',
  test: (value) => typeof value === 'number' && value > 0 && value <= 1,
};

const slidingWindowRule: Rule = rules.object("an object { type: 'count' | 'time', size }");

export const configSchema: Schema<CircuitBreakerConfig> = {
  failureThreshold: rules.integer(1),
  successThreshold: rules.integer(1),
  cooldownMs: rules.duration(0),
  halfOpenMaxRequests: rules.integer(1),
  slidingWindow: slidingWindowRule,
  failureRateThreshold: rate,
  minimumNumberOfCalls: rules.integer(1),
  slowCallDurationMs: rules.duration(0, { infinite: true }),
  slowCallRateThreshold: rate,
  timeoutMs: rules.duration(1),
  isFailure: rules.function,
  ignoreErrors: rules.classes,
  recordErrors: rules.classes,
  isFailureResult: rules.function,
  maxWaitInHalfOpenMs: rules.duration(1, { infinite: true }),
  exponentialBackoff: rules.boolean,
  backoffMultiplier: rules.number(1),
  maxCooldownMs: rules.duration(0),
  jitter: rules.fraction,
  adaptiveThresholds: rules.boolean,
  healthCheckIntervalMs: rules.duration(1),
  autoHealing: rules.boolean,
  clock: rules.clock,
  stateStore: stateStoreRule,
};

const MAX_COUNT_WINDOW = 1_000_000;

const windowSchema: Schema<SlidingWindowConfig> = {
  type: rules.oneOf('count', 'time'),
  size: rules.number(1, MAX_TIMER_MS),
};

/**
 * Validates a user's configuration and applies the defaults.
 *
 * @throws TypeError or RangeError naming the offending `CircuitBreakerConfig` field.
 */
export function resolveConfig(config: CircuitBreakerConfig | undefined): ResolvedConfig {
  if (config === undefined) return defaultConfig;
  validateConfig<CircuitBreakerConfig>('CircuitBreakerConfig', config, configSchema);
  validateConfig<SlidingWindowConfig>(
    'CircuitBreakerConfig.slidingWindow',
    config.slidingWindow,
    windowSchema,
  );
  const windowType = config.slidingWindow?.type ?? 'count';
  const windowSize = config.slidingWindow?.size ?? (windowType === 'count' ? 100 : 60_000);
  if (windowType === 'count' && !(Number.isInteger(windowSize) && windowSize <= MAX_COUNT_WINDOW)) {
    throw new RangeError(
      `CircuitBreakerConfig.slidingWindow.size must be an integer from 1 to ${MAX_COUNT_WINDOW} for a count window, received ${windowSize}`,
    );
  }
  const cooldownMs = config.cooldownMs ?? 60_000;
  const maxCooldownMs = config.maxCooldownMs ?? 300_000;
  if (config.exponentialBackoff === true && maxCooldownMs < cooldownMs) {
    throw new RangeError(
      `CircuitBreakerConfig.maxCooldownMs must be >= cooldownMs (${cooldownMs}) with exponentialBackoff, received ${maxCooldownMs}`,
    );
  }
  const minimumNumberOfCalls = config.minimumNumberOfCalls ?? 10;
  return Object.freeze({
    failureThreshold: config.failureThreshold ?? 5,
    successThreshold: config.successThreshold ?? 3,
    cooldownMs,
    halfOpenMaxRequests: config.halfOpenMaxRequests ?? 3,
    windowType,
    windowSize,
    failureRateThreshold: config.failureRateThreshold ?? 0.5,
    minimumNumberOfCalls:
      windowType === 'count' ? Math.min(minimumNumberOfCalls, windowSize) : minimumNumberOfCalls,
    slowCallDurationMs: config.slowCallDurationMs ?? 1000,
    slowCallRateThreshold: config.slowCallRateThreshold ?? 1,
    timeoutMs: config.timeoutMs,
    isFailure: config.isFailure,
    ignoreErrors: nonEmpty(config.ignoreErrors),
    recordErrors: config.recordErrors === undefined ? undefined : [...config.recordErrors],
    isFailureResult: config.isFailureResult,
    maxWaitInHalfOpenMs: config.maxWaitInHalfOpenMs ?? 60_000,
    exponentialBackoff: config.exponentialBackoff ?? false,
    backoffMultiplier: config.backoffMultiplier ?? 2,
    maxCooldownMs,
    jitter: config.jitter ?? 0,
    adaptiveThresholds: config.adaptiveThresholds ?? false,
    healthCheckIntervalMs: config.healthCheckIntervalMs,
    autoHealing: config.autoHealing ?? false,
    clock: config.clock ?? systemClock,
    stateStore: config.stateStore,
  });
}

function nonEmpty(classes: readonly ErrorClass[] | undefined): readonly ErrorClass[] | undefined {
  return classes === undefined || classes.length === 0 ? undefined : [...classes];
}

// Shared by every breaker created without options, so a default breaker carries no config of its own.
const defaultConfig: ResolvedConfig = resolveConfig({});
