import { rules, type Schema, validateConfig } from '../core/index.js';
import { SupervisionDirective } from './constants.js';
import type { Decider, FailureInfo } from './failure.js';

/** One rule of {@link matchStrategy}. */
export interface FailureMatcher {
  /** An error class (matched with `instanceof`) or an error name (matched against `name` and class names). */
  readonly errorType: string | (abstract new (...args: any[]) => unknown);
  /** What to do when the error matches. */
  readonly directive: SupervisionDirective | Decider;
}

/** Options of {@link matchStrategy}. */
export interface MatchStrategyOptions {
  /**
   * What to do when no matcher matches.
   * @default SupervisionDirective.RESTART
   */
  default?: SupervisionDirective | Decider | undefined;
  /** Tried in order; the first match wins. */
  matchers: readonly FailureMatcher[];
}

const directives = Object.values(SupervisionDirective);
const directiveOrDecider = rules.either(rules.oneOf(...directives), rules.function);
const schema: Schema<MatchStrategyOptions> = {
  default: directiveOrDecider,
  matchers: {
    expected: 'an array of { errorType, directive }',
    type: 'type',
    test: (value) =>
      Array.isArray(value) &&
      value.every(
        (matcher: Partial<FailureMatcher>) =>
          typeof matcher === 'object' &&
          matcher !== null &&
          (typeof matcher.errorType === 'function' ||
            (typeof matcher.errorType === 'string' && matcher.errorType.length > 0)) &&
          directiveOrDecider.test(matcher.directive),
      ),
  },
};

function matches(errorType: FailureMatcher['errorType'], failure: FailureInfo): boolean {
  const { error } = failure;
  if (typeof errorType === 'function') return error instanceof errorType;
  if (failure.errorType === errorType) return true;
  // A subclass that never set `name` still reads "Error"; its class names identify it.
  for (
    let proto = typeof error === 'object' && error !== null ? Object.getPrototypeOf(error) : null;
    proto;
  ) {
    if ((proto.constructor as Function | undefined)?.name === errorType) return true;
    proto = Object.getPrototypeOf(proto);
  }
  return false;
}

/**
 * Builds a `decide` function that picks a directive by error class or error name; the
 * first matching rule wins, and `default` applies otherwise.
 *
 * @example
 * const decide = matchStrategy({
 *   default: SupervisionDirective.RESTART,
 *   matchers: [
 *     { errorType: ValidationError, directive: SupervisionDirective.RESUME },
 *     { errorType: 'DatabaseError', directive: SupervisionDirective.STOP },
 *   ],
 * });
 * await system.createSupervisor('orders', { decide });
 * @throws TypeError when a matcher is malformed.
 */
export function matchStrategy(options: MatchStrategyOptions): Decider {
  validateConfig<MatchStrategyOptions>('MatchStrategyOptions', options, schema);
  if (options.matchers === undefined) {
    throw new TypeError('MatchStrategyOptions.matchers must be an array of { errorType, directive }');
  }
  const matchers = [...options.matchers];
  const fallback = options.default ?? SupervisionDirective.RESTART;
  const apply = (choice: SupervisionDirective | Decider, failure: FailureInfo): SupervisionDirective =>
    typeof choice === 'function' ? choice(failure) : choice;
  return (failure) => {
    for (const matcher of matchers) {
      if (matches(matcher.errorType, failure)) return apply(matcher.directive, failure);
    }
    return apply(fallback, failure);
  };
}
