import { EventEmitter } from '../../src/core/index.js';

interface StateChange {
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

/** A stand-in with the shape of a circuit breaker that the health checker watches. */
export class FakeBreaker {
  readonly #changes = new EventEmitter<StateChange>();
  #state = 'closed';
  failures = 0;

  constructor(readonly name: string) {}

  get state(): string {
    return this.#state;
  }

  readonly onStateChange = this.#changes.subscribe;

  get listening(): boolean {
    return this.#changes.hasListeners;
  }

  moveTo(to: string): void {
    const from = this.#state;
    this.#state = to;
    this.#changes.emit({ name: this.name, from, to });
  }
}
