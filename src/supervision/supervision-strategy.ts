import { rules, type Schema, validateConfig } from '../core/index.js';
import { RestartPolicy } from './constants.js';

/** Options of {@link SupervisionStrategy}. */
export interface SupervisionStrategyOptions {
  /**
   * Failures allowed inside `withinTimeWindowMs`; one more and the supervisor gives up.
   * @default 3
   */
  maxFailures?: number | undefined;
  /**
   * The sliding window failures are counted in.
   * @default 60000
   */
  withinTimeWindowMs?: number | undefined;
  /**
   * When children are restarted, unless a child sets its own.
   * @default RestartPolicy.ON_FAILURE
   */
  restartPolicy?: RestartPolicy | undefined;
  /**
   * The delay before the first restart.
   * @default 100
   */
  restartDelayMs?: number | undefined;
  /**
   * How much each further failure inside the window multiplies the delay.
   * @default 2
   */
  backoffMultiplier?: number | undefined;
  /**
   * The longest delay before a restart.
   * @default 30000
   */
  maxRestartDelayMs?: number | undefined;
}

const schema: Schema<SupervisionStrategyOptions> = {
  maxFailures: rules.integer(0),
  withinTimeWindowMs: rules.duration(1),
  restartPolicy: rules.oneOf(...Object.values(RestartPolicy)),
  restartDelayMs: rules.duration(0),
  backoffMultiplier: rules.number(1),
  maxRestartDelayMs: rules.duration(0),
};

/**
 * The restart budget and backoff a supervisor applies: more than `maxFailures` failures
 * within `withinTimeWindowMs` (a sliding window) and the supervisor gives up; each restart
 * waits {@link SupervisionStrategy.calculateRestartDelay}.
 *
 * @example
 * const strategy = new SupervisionStrategy({ maxFailures: 5, withinTimeWindowMs: 10_000, restartDelayMs: 50 });
 * strategy.calculateRestartDelay(3); // 200
 * @throws RangeError or TypeError naming the option when an option is invalid.
 */
export class SupervisionStrategy {
  readonly maxFailures: number;
  readonly withinTimeWindowMs: number;
  readonly restartPolicy: RestartPolicy;
  readonly restartDelayMs: number;
  readonly backoffMultiplier: number;
  readonly maxRestartDelayMs: number;

  constructor(options: SupervisionStrategyOptions = {}) {
    validateConfig<SupervisionStrategyOptions>('SupervisionStrategyOptions', options, schema);
    this.maxFailures = options.maxFailures ?? 3;
    this.withinTimeWindowMs = options.withinTimeWindowMs ?? 60_000;
    this.restartPolicy = options.restartPolicy ?? RestartPolicy.ON_FAILURE;
    this.restartDelayMs = options.restartDelayMs ?? 100;
    this.backoffMultiplier = options.backoffMultiplier ?? 2;
    this.maxRestartDelayMs = options.maxRestartDelayMs ?? 30_000;
    Object.freeze(this);
  }

  /**
   * The delay before restarting a child that has failed `failureCount` times inside the
   * window: `min(maxRestartDelayMs, restartDelayMs * backoffMultiplier^(failureCount - 1))`.
   */
  calculateRestartDelay(failureCount: number): number {
    const exponent = Math.max(0, failureCount - 1);
    return Math.min(this.maxRestartDelayMs, this.restartDelayMs * this.backoffMultiplier ** exponent);
  }

  /** The options this strategy was built from, for logs and metadata. */
  toJSON(): Required<SupervisionStrategyOptions> {
    return {
      maxFailures: this.maxFailures,
      withinTimeWindowMs: this.withinTimeWindowMs,
      restartPolicy: this.restartPolicy,
      restartDelayMs: this.restartDelayMs,
      backoffMultiplier: this.backoffMultiplier,
      maxRestartDelayMs: this.maxRestartDelayMs,
    };
  }
}

/** Accepts a strategy or the options to build one. */
export function toSupervisionStrategy(
  value: SupervisionStrategy | SupervisionStrategyOptions | undefined,
): SupervisionStrategy {
  return value instanceof SupervisionStrategy ? value : new SupervisionStrategy(value);
}
