/** A fixed-capacity queue that drops its oldest item when full. */
export class RingBuffer<T> {
  readonly #items: (T | undefined)[];
  #start = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    const capacity = this.capacity;
    if (this.#size < capacity) {
      this.#items[(this.#start + this.#size) % capacity] = item;
      this.#size++;
    } else {
      this.#items[this.#start] = item;
      this.#start = (this.#start + 1) % capacity;
    }
  }

  /** The newest item, or undefined when empty. */
  last(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[(this.#start + this.#size - 1) % this.capacity];
  }

  /** Drops items from the oldest end while `expired` holds for them. */
  dropWhile(expired: (item: T) => boolean): void {
    while (this.#size > 0 && expired(this.#items[this.#start] as T)) {
      this.#items[this.#start] = undefined;
      this.#start = (this.#start + 1) % this.capacity;
      this.#size--;
    }
  }

  /** The items, oldest first, for which `keep` holds. */
  filter(keep: (item: T) => boolean): T[] {
    const result: T[] = [];
    for (let index = 0; index < this.#size; index++) {
      const item = this.#items[(this.#start + index) % this.capacity] as T;
      if (keep(item)) result.push(item);
    }
    return result;
  }
}
