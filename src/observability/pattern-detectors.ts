import type { ActorSnapshot, EmergentPattern, MessageFlow, SystemEvent } from './records.js';

/** What a pattern detector looks at: everything the collector still retains. */
export interface ObservationWindow {
  /** The collector's clock reading for this detection round. */
  readonly now: number;
  /** The collector's `aggregationIntervalMs`: how often detection runs. */
  readonly intervalMs: number;
  /** The newest snapshot of each actor. */
  readonly snapshots: ReadonlyMap<string, ActorSnapshot>;
  /** Retained message flows, oldest first. */
  readonly flows: readonly MessageFlow[];
  /** Retained system events, oldest first. */
  readonly events: readonly SystemEvent[];
}

/** What a detector reports; the collector assigns the id, times and counts. */
export type PatternCandidate = Pick<
  EmergentPattern,
  'patternType' | 'involvedActors' | 'confidence' | 'description'
>;

/** Finds emergent patterns in an observation window. */
export type PatternDetector = (window: ObservationWindow) => readonly PatternCandidate[];

/** Settings of the built-in hotspot detector. */
export interface HotspotSettings {
  /** How many times the mean rate of the other actors an actor must handle. */
  readonly factor: number;
  /** The least message rate (per second) that can be a hotspot. */
  readonly minRate: number;
}

/**
 * Finds actors whose message rate dominates: at least `factor` times the mean of the
 * others. An actor's rate is the larger of its messages received in the last interval
 * and the rate its newest snapshot reports.
 */
export function hotspotDetector(settings: HotspotSettings): PatternDetector {
  return ({ now, intervalMs, snapshots, flows }) => {
    const rates = new Map<string, number>();
    for (const [actorId, snapshot] of snapshots) {
      if (snapshot.state !== 'stopped') rates.set(actorId, snapshot.messageRate);
    }
    const since = now - intervalMs;
    const received = new Map<string, number>();
    for (const flow of flows) {
      if (flow.timestamp > since) received.set(flow.destination, (received.get(flow.destination) ?? 0) + 1);
    }
    for (const [actorId, count] of received) {
      rates.set(actorId, Math.max(rates.get(actorId) ?? 0, (count * 1000) / intervalMs));
    }
    if (rates.size < 2) return [];
    let total = 0;
    for (const rate of rates.values()) total += rate;
    const found: PatternCandidate[] = [];
    for (const [actorId, rate] of rates) {
      if (rate < settings.minRate) continue;
      const othersMean = (total - rate) / (rates.size - 1);
      if (rate < settings.factor * othersMean) continue;
      const share = rate / total;
      found.push({
        patternType: 'hotspot',
        involvedActors: [actorId],
        confidence: share,
        description: `Actor "${actorId}" handles ${Math.round(share * 100)}% of messages (${rate.toFixed(1)}/s against a mean of ${othersMean.toFixed(1)}/s for the others)`,
      });
    }
    return found;
  };
}

/** Settings of the built-in cascade detector. */
export interface CascadeSettings {
  /** How close in time two linked failures must be to belong to one cascade. */
  readonly windowMs: number;
  /** The least number of failed actors that makes a cascade. */
  readonly minActors: number;
}

interface Failure {
  readonly actorId: string;
  readonly time: number;
}

/** The actor a failure event names: events whose type mentions a failure or error and carry `actorId`. */
export function failedActorOf(event: SystemEvent): string | undefined {
  const actorId = event.data.actorId;
  return typeof actorId === 'string' && /fail|error|crash/i.test(event.eventType) ? actorId : undefined;
}

/**
 * Finds failures that spread along message flows: actors that failed within `windowMs` of
 * one another and exchanged messages (either way) within `windowMs` of the later failure,
 * grouped transitively. Reported in the order the actors first failed.
 */
export function cascadeDetector(settings: CascadeSettings): PatternDetector {
  const { windowMs, minActors } = settings;
  return ({ now, flows, events }) => {
    const failures: Failure[] = [];
    for (const event of events) {
      const actorId = failedActorOf(event);
      if (actorId !== undefined && event.timestamp > now - windowMs * 2) {
        failures.push({ actorId, time: event.timestamp });
      }
    }
    if (failures.length < minActors) return [];
    // A link counts only within windowMs before a failure, and failures are at most 2 windows old.
    const horizon = now - windowMs * 3;
    const links = new Map<string, number[]>();
    for (const flow of flows) {
      if (flow.source === flow.destination || flow.timestamp < horizon) continue;
      const key = pairKey(flow.source, flow.destination);
      let times = links.get(key);
      if (times === undefined) links.set(key, (times = []));
      times.push(flow.timestamp);
    }
    const group = new Map<string, string>();
    const find = (actorId: string): string => {
      let root = actorId;
      while (group.get(root) !== root) root = group.get(root)!;
      group.set(actorId, root);
      return root;
    };
    for (const failure of failures)
      if (!group.has(failure.actorId)) group.set(failure.actorId, failure.actorId);
    for (let i = 0; i < failures.length; i++) {
      for (let j = i + 1; j < failures.length; j++) {
        const a = failures[i]!;
        const b = failures[j]!;
        if (a.actorId === b.actorId || Math.abs(a.time - b.time) > windowMs) continue;
        const later = Math.max(a.time, b.time);
        const times = links.get(pairKey(a.actorId, b.actorId));
        if (times?.some((time) => time <= later && time >= later - windowMs)) {
          group.set(find(a.actorId), find(b.actorId));
        }
      }
    }
    const members = new Map<string, string[]>();
    const ordered = [...failures].sort((a, b) => a.time - b.time);
    for (const { actorId } of ordered) {
      const root = find(actorId);
      const list = members.get(root) ?? [];
      if (!list.includes(actorId)) list.push(actorId);
      members.set(root, list);
    }
    const found: PatternCandidate[] = [];
    for (const actors of members.values()) {
      if (actors.length < minActors) continue;
      found.push({
        patternType: 'cascade',
        involvedActors: actors,
        confidence: 1 - 1 / actors.length,
        description: `A failure starting at "${actors[0]}" spread to ${actors.length - 1} more actor(s): ${actors.join(' → ')}`,
      });
    }
    return found;
  };
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}
