import { rules, type Schema, validateConfig } from '../core/index.js';
import type { ActorRef } from '../supervision/index.js';
import { canonicalJson } from './canonical-json.js';

/** Options of a {@link ConsensusValidator}. */
export interface ConsensusValidatorConfig {
  /**
   * How many actors must answer for their answers to count at all.
   * @default 3
   */
  quorumSize?: number | undefined;
  /**
   * The share of the answers (0..1] that must be equal for them to agree, compared with `>=`.
   * Two of three is 0.667, so the default asks for more than a simple majority of three.
   * @default 0.7
   */
  agreementThreshold?: number | undefined;
  /**
   * How long each actor gets to answer when a call does not say.
   * @default 5000
   */
  timeoutMs?: number | undefined;
}

/**
 * What to ask every actor: a message type, or a type with a payload. Each actor gets
 * `ref.ask(type, payload, { timeoutMs })`.
 */
export type ConsensusQuery = string | { readonly type: string; readonly payload?: unknown };

/** Options of one consensus round. */
export interface ConsensusOptions {
  /** How long each actor gets to answer. @default the validator's `timeoutMs` */
  timeoutMs?: number | undefined;
}

/** An actor that can be asked: what cascade prevention needs of an {@link ActorRef}. */
export type ActorRefLike = Pick<ActorRef, 'actorId' | 'ask'>;

/** One actor's part in a consensus round. */
export type ConsensusVote =
  | { readonly actorId: string; readonly answered: true; readonly value: unknown }
  | { readonly actorId: string; readonly answered: false; readonly error: unknown };

/** The full result of a consensus round. */
export interface ConsensusOutcome<T = unknown> {
  readonly agreed: boolean;
  /** The agreed value; `undefined` when the answers did not agree. */
  readonly value: T | undefined;
  /** Distinct actors asked. */
  readonly asked: number;
  /** Actors that answered in time. */
  readonly answered: number;
  /** The largest group of equal answers as a share of the answers, 0..1. */
  readonly agreement: number;
  /** Actors whose answer is in the largest group. */
  readonly agreeing: readonly string[];
  /** Actors that answered something else. */
  readonly dissenting: readonly string[];
  /** Actors that failed or did not answer in time. */
  readonly failed: readonly string[];
  readonly votes: readonly ConsensusVote[];
}

const schema: Schema<ConsensusValidatorConfig> = {
  quorumSize: rules.integer(1),
  agreementThreshold: rules.number(Number.MIN_VALUE, 1),
  timeoutMs: rules.duration(1, { infinite: true }),
};

const timeoutRule = rules.duration(1, { infinite: true });

/**
 * Asks several replicas the same question and accepts an answer only when enough of them
 * give it. Answers are compared by content (deep-equal, as canonical JSON with sorted keys).
 * The answers agree when at least `quorumSize` actors answered in time and the largest
 * group of equal answers is at least `agreementThreshold` of the answers, with no other
 * group as large. An actor that fails or times out does not vote; the same actor listed
 * twice votes once.
 *
 * @example
 * const validator = new ConsensusValidator({ quorumSize: 3, agreementThreshold: 0.6 });
 * const [agreed, price] = await validator.validateConsensus(replicas, { type: 'price', payload: 'sku-1' });
 * @throws TypeError or RangeError naming the option when an option is invalid.
 */
export class ConsensusValidator {
  /** How many actors must answer. */
  readonly quorumSize: number;
  /** The share of answers that must be equal. */
  readonly agreementThreshold: number;
  readonly #timeoutMs: number;

  constructor(config: ConsensusValidatorConfig = {}) {
    validateConfig<ConsensusValidatorConfig>('ConsensusValidatorConfig', config, schema);
    this.quorumSize = config.quorumSize ?? 3;
    this.agreementThreshold = config.agreementThreshold ?? 0.7;
    this.#timeoutMs = config.timeoutMs ?? 5000;
  }

  /**
   * Asks every actor and resolves with `[agreed, value]`; `value` is the agreed answer, or
   * `undefined` when there is none. Never rejects for an actor's failure.
   * @throws TypeError or RangeError (as a rejection) when `query` or `options` is invalid.
   */
  async validateConsensus<T = unknown>(
    refs: readonly ActorRefLike[],
    query: ConsensusQuery,
    options?: ConsensusOptions,
  ): Promise<[agreed: boolean, value: T | undefined]> {
    const outcome = await this.evaluateConsensus<T>(refs, query, options);
    return [outcome.agreed, outcome.value];
  }

  /** Like {@link validateConsensus}, with every vote and who agreed, dissented or failed. */
  async evaluateConsensus<T = unknown>(
    refs: readonly ActorRefLike[],
    query: ConsensusQuery,
    options: ConsensusOptions = {},
  ): Promise<ConsensusOutcome<T>> {
    const { type, payload } = parseQuery(query);
    validateConfig<ConsensusOptions>('ConsensusOptions', options, { timeoutMs: timeoutRule });
    if (!Array.isArray(refs)) throw new TypeError('validateConsensus refs must be an array of actor refs');
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const unique = [...new Map(refs.map((ref) => [ref.actorId, ref])).values()];
    const votes: ConsensusVote[] =
      unique.length < this.quorumSize
        ? []
        : await Promise.all(unique.map((ref) => vote(ref, type, payload, timeoutMs)));
    return this.#tally<T>(unique.length, votes);
  }

  #tally<T>(asked: number, votes: readonly ConsensusVote[]): ConsensusOutcome<T> {
    const groups = new Map<string, { value: unknown; actorIds: string[] }>();
    const failed: string[] = [];
    for (const vote of votes) {
      if (!vote.answered) {
        failed.push(vote.actorId);
        continue;
      }
      const key = canonicalJson(vote.value);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { value: vote.value, actorIds: [vote.actorId] });
      else group.actorIds.push(vote.actorId);
    }
    const answered = votes.length - failed.length;
    let best: { value: unknown; actorIds: string[] } | undefined;
    let tied = false;
    for (const group of groups.values()) {
      if (best === undefined || group.actorIds.length > best.actorIds.length) {
        best = group;
        tied = false;
      } else if (group.actorIds.length === best.actorIds.length) tied = true;
    }
    const agreement = best === undefined ? 0 : best.actorIds.length / answered;
    const agreed =
      best !== undefined && !tied && answered >= this.quorumSize && agreement >= this.agreementThreshold;
    const agreeing = best?.actorIds ?? [];
    const dissenting = votes
      .filter((vote) => vote.answered && !agreeing.includes(vote.actorId))
      .map((vote) => vote.actorId);
    return {
      agreed,
      value: agreed ? (best?.value as T) : undefined,
      asked,
      answered,
      agreement,
      agreeing: tied ? [] : agreeing,
      dissenting: tied ? votes.filter((vote) => vote.answered).map((vote) => vote.actorId) : dissenting,
      failed,
      votes,
    };
  }
}

function parseQuery(query: ConsensusQuery): { type: string; payload: unknown } {
  if (typeof query === 'string' && query.length > 0) return { type: query, payload: undefined };
  if (
    typeof query === 'object' &&
    query !== null &&
    typeof query.type === 'string' &&
    query.type.length > 0
  ) {
    return { type: query.type, payload: query.payload };
  }
  throw new TypeError('ConsensusQuery must be a message type or { type, payload? } with a non-empty type');
}

async function vote(
  ref: ActorRefLike,
  type: string,
  payload: unknown,
  timeoutMs: number,
): Promise<ConsensusVote> {
  try {
    return { actorId: ref.actorId, answered: true, value: await ref.ask(type, payload, { timeoutMs }) };
  } catch (error) {
    return { actorId: ref.actorId, answered: false, error };
  }
}
