import { SupervisionDirective } from './constants.js';
import { isNodeFailedError } from './errors.js';
import type { FailureInfo } from './failure.js';
import {
  type SupervisionStrategy,
  type SupervisionStrategyOptions,
  toSupervisionStrategy,
} from './supervision-strategy.js';

/** Which children one child's failure affects: `'one_for_one'`, `'all_for_one'` or `'rest_for_one'`. */
export type StrategyKind = 'one_for_one' | 'all_for_one' | 'rest_for_one';

/**
 * Restarts `RESTART` when asked to decide, except for a child whose node died, which is
 * relocated.
 */
export function defaultDecide(failure: FailureInfo): SupervisionDirective {
  return isNodeFailedError(failure.error) ? SupervisionDirective.RELOCATE : SupervisionDirective.RESTART;
}

/**
 * The base of the three strategies: tracks children in start order and says which of
 * them a failure affects. A supervisor works on its own {@link ChildStrategy.clone}, so
 * one strategy object may configure many supervisors.
 */
export abstract class ChildStrategy {
  abstract readonly kind: StrategyKind;
  /** The restart budget and backoff. */
  readonly supervisionStrategy: SupervisionStrategy;
  readonly #children = new Set<string>();

  constructor(supervisionStrategy?: SupervisionStrategy | SupervisionStrategyOptions) {
    this.supervisionStrategy = toSupervisionStrategy(supervisionStrategy);
  }

  /** Records a child as started last. */
  registerChild(childId: string): void {
    this.#children.add(childId);
  }

  /** Forgets a removed child. */
  unregisterChild(childId: string): void {
    this.#children.delete(childId);
  }

  /** The ids of the affected children, in start order (the failed child included). */
  abstract getAffectedChildren(failedId: string): string[];

  /** What to do with a failed child; the default restarts it (relocates it when its node died). */
  decide(failure: FailureInfo): SupervisionDirective {
    return defaultDecide(failure);
  }

  /** A copy with the same configuration and no registered children. */
  clone(): this {
    const Kind = this.constructor as new (strategy: SupervisionStrategy) => this;
    const copy = new Kind(this.supervisionStrategy);
    if (copy.decide !== this.decide) copy.decide = this.decide;
    return copy;
  }

  protected get children(): ReadonlySet<string> {
    return this.#children;
  }
}

/**
 * Only the failed child is restarted (the default).
 *
 * @example
 * const supervisor = await system.createSupervisor('workers', { strategy: new OneForOneStrategy({ maxFailures: 5 }) });
 */
export class OneForOneStrategy extends ChildStrategy {
  readonly kind = 'one_for_one';

  getAffectedChildren(failedId: string): string[] {
    return this.children.has(failedId) ? [failedId] : [];
  }
}

/**
 * Every child is restarted when one fails: the others are stopped in reverse start order,
 * then all are started in start order.
 *
 * @example
 * const pipelineSupervisor = await system.createSupervisor('ingest', { strategy: new AllForOneStrategy() });
 */
export class AllForOneStrategy extends ChildStrategy {
  readonly kind = 'all_for_one';

  getAffectedChildren(failedId: string): string[] {
    return this.children.has(failedId) ? [...this.children] : [];
  }
}

/**
 * The failed child and every child started after it are restarted.
 *
 * @example
 * const chain = await system.createSupervisor('chain', { strategy: new RestForOneStrategy() });
 */
export class RestForOneStrategy extends ChildStrategy {
  readonly kind = 'rest_for_one';

  getAffectedChildren(failedId: string): string[] {
    const affected: string[] = [];
    let found = false;
    for (const id of this.children) {
      if (id === failedId) found = true;
      if (found) affected.push(id);
    }
    return affected;
  }
}
