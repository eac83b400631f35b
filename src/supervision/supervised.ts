import { type ClassDecorator, decorateClass, rules, type Schema, validateConfig } from '../core/index.js';
import { ChildStrategy } from './child-strategies.js';
import { Placement } from './constants.js';
import type { Decider } from './failure.js';
import { SupervisionStrategy, type SupervisionStrategyOptions } from './supervision-strategy.js';

/** Options of {@link supervised}. */
export interface SupervisedOptions {
  /** Budget, backoff and restart policy for instances of the class. @default the supervisor's */
  strategy?: SupervisionStrategy | SupervisionStrategyOptions | undefined;
  /** What to do when an instance fails. @default the supervisor's */
  decide?: Decider | undefined;
  /** How a node is chosen when an instance is placed or relocated. @default the system's placement */
  placement?: Placement | undefined;
}

/** How instances of a decorated class are supervised, wherever they are created. */
export interface ClassSupervision {
  readonly strategy: SupervisionStrategy | undefined;
  readonly decide: Decider | undefined;
  readonly placement: Placement | undefined;
}

const schema: Schema<SupervisedOptions> = {
  strategy: rules.object('a SupervisionStrategy or its options'),
  decide: rules.function,
  placement: rules.oneOf(...Object.values(Placement)),
};

const declared = new WeakMap<Function, ClassSupervision>();

function normalise(strategy: SupervisionStrategy | ChildStrategy | SupervisedOptions): ClassSupervision {
  if (strategy instanceof SupervisionStrategy) return { strategy, decide: undefined, placement: undefined };
  if (strategy instanceof ChildStrategy) {
    const decide: Decider = (failure) => strategy.decide(failure);
    return { strategy: strategy.supervisionStrategy, decide, placement: undefined };
  }
  validateConfig<SupervisedOptions>('SupervisedOptions', strategy, schema);
  const { strategy: inner, decide, placement } = strategy;
  return {
    strategy:
      inner === undefined
        ? undefined
        : inner instanceof SupervisionStrategy
          ? inner
          : new SupervisionStrategy(inner),
    decide,
    placement,
  };
}

/**
 * Declares how instances of an actor class are supervised, wherever they are created:
 * their restart budget and backoff (counted per instance), restart policy, `decide` and
 * placement override the supervisor's. Works as a TC39 and as a legacy class decorator.
 *
 * @example
 * @supervised(new SupervisionStrategy({ maxFailures: 10, restartDelayMs: 20 }))
 * class PriceFeed extends Actor {
 *   receive(type: string) { ... }
 * }
 * @throws TypeError when applied to something other than a class, or given bad options.
 */
export function supervised(
  strategy: SupervisionStrategy | ChildStrategy | SupervisedOptions,
): ClassDecorator {
  if (typeof strategy !== 'object' || strategy === null) {
    throw new TypeError(
      'supervised(strategy): strategy must be a SupervisionStrategy, a strategy or options',
    );
  }
  const supervision = normalise(strategy);
  return ((...args: unknown[]) =>
    decorateClass(args, 'supervised', { policy: 'supervised', options: strategy }, (target) => {
      declared.set(target, supervision);
      return undefined;
    })) as ClassDecorator;
}

/** How a class (or its nearest decorated ancestor) asked to be supervised. */
export function supervisionOf(actorClass: Function): ClassSupervision | undefined {
  for (let owner: Function | null = actorClass; owner && owner !== Function.prototype; ) {
    const found = declared.get(owner);
    if (found !== undefined) return found;
    owner = Object.getPrototypeOf(owner) as Function | null;
  }
  return undefined;
}
