import type { AdaptiveConcurrencyLimiter } from '../../src/adaptive-concurrency/index.js';
import { BulwarkError } from '../../src/core/index.js';
import type { VirtualClock } from '../../src/testing/index.js';

/** How the simulated downstream behaves; change it between phases. */
export interface ServerModel {
  /** Calls it serves at full speed at once; beyond that every call slows down in proportion. */
  capacity: number;
  baseMs: number;
  /** Multiplies every latency (a slow period). */
  slowFactor: number;
  /** Every n-th call times out (0: none). */
  dropEvery: number;
}

/**
 * A downstream service and a crowd of closed-loop clients calling it through a limiter,
 * on a virtual clock: each client calls again as soon as its call ends, and waits 20 ms
 * after a rejection.
 */
export class Simulation {
  readonly server: ServerModel;
  readonly limits: number[] = [];
  #inflight = 0;
  #calls = 0;
  #running = true;
  #peakInflight = 0;

  constructor(
    readonly clock: VirtualClock,
    readonly limiter: AdaptiveConcurrencyLimiter,
    server: Partial<ServerModel> = {},
  ) {
    this.server = { capacity: 1000, baseMs: 10, slowFactor: 1, dropEvery: 0, ...server };
  }

  /** The most calls the downstream saw at once. */
  get peakInflight(): number {
    return this.#peakInflight;
  }

  start(clients: number): void {
    for (let index = 0; index < clients; index++) void this.#client();
  }

  /** Runs for `ms`, recording the limit every 100 ms; returns the limit at the end. */
  async run(ms: number): Promise<number> {
    for (let elapsed = 0; elapsed < ms; elapsed += 100) {
      await this.clock.advance(100);
      this.limits.push(this.limiter.limit);
    }
    return this.limiter.limit;
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.clock.advance(60_000);
  }

  #call(): Promise<void> {
    const { capacity, baseMs, slowFactor, dropEvery } = this.server;
    const inflight = ++this.#inflight;
    this.#peakInflight = Math.max(this.#peakInflight, inflight);
    const drop = dropEvery > 0 && ++this.#calls % dropEvery === 0;
    const latencyMs = Math.round(baseMs * slowFactor * Math.max(1, inflight / capacity));
    return new Promise((resolve, reject) => {
      this.clock.setTimeout(() => {
        this.#inflight--;
        if (drop) reject(new BulwarkError('TIMEOUT', 'simulated timeout'));
        else resolve();
      }, latencyMs);
    });
  }

  async #client(): Promise<void> {
    while (this.#running) {
      try {
        await this.limiter.execute(() => this.#call());
      } catch (error) {
        if ((error as BulwarkError).code === 'BULKHEAD_FULL') {
          await new Promise<void>((resolve) => this.clock.setTimeout(resolve, 20));
        }
      }
    }
  }
}
