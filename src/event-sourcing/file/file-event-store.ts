import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type Clock,
  type Disposable,
  EventEmitter,
  type Listener,
  rules,
  systemClock,
  validateConfig,
} from '../../core/index.js';
import { EventStoreUnavailableError } from '../errors.js';
import { Event, type EventInit, type RecordedEvent } from '../event.js';
import { flattenBatches } from '../event-batches.js';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  ReadAllOptions,
  ReadStreamOptions,
  TimeRange,
} from '../event-store.js';
import { EventWindow, filterByTime } from '../event-window.js';
import { readAllOptions, readStreamOptions, requireId, timeRange } from '../read-options.js';
import { type ReplayOptions, replayEvents } from '../replay.js';
import { Sequencer } from '../sequencer.js';
import { FsyncMode } from './fsync-mode.js';
import { acquireLock } from './lock-file.js';
import { SegmentLog } from './segment-log.js';
import { type Tuple, tupleEvents } from './tuple.js';

/** Where damaged bytes were found in a file store, and what was wrong with them. */
export interface CorruptionReport {
  readonly file: string;
  /** Byte offset of the damaged frame in `file`. */
  readonly offset: number;
  readonly reason: string;
}

/** Options of {@link FileEventStore}. */
export interface FileEventStoreConfig {
  /** The folder holding the segment files; created by `start()`. @default './event_store' */
  readonly storagePath?: string | undefined;
  /** How many recent events are kept decoded in memory for queries; older ones are read from disk. @default 10000 */
  readonly maxMemoryEvents?: number | undefined;
  /** Deflate each commit's events (zlib level 1) when that saves space. @default true */
  readonly compression?: boolean | undefined;
  /** When an append is durable; see {@link FsyncMode}. @default 'batch' */
  readonly fsync?: FsyncMode | undefined;
  /** A segment file is closed and a new one started once it reaches this size. @default 67108864 (64 MiB) */
  readonly segmentSizeBytes?: number | undefined;
  /** Receives every corruption found; same as calling `onCorruption(listener)`. */
  readonly onCorruption?: Listener<CorruptionReport> | undefined;
  /** Paces `replayEvents`. @default systemClock */
  readonly clock?: Clock | undefined;
}

const schema = {
  storagePath: rules.string,
  maxMemoryEvents: rules.integer(0),
  compression: rules.boolean,
  fsync: rules.oneOf(...Object.values(FsyncMode)),
  segmentSizeBytes: rules.integer(4096, 2 ** 31),
  onCorruption: rules.function,
  clock: rules.clock,
};

// An append waiting for its write: `resolve` is called with `result` once it is durable.
interface PendingAppend {
  readonly events: readonly RecordedEvent[];
  readonly result: unknown;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type State = 'stopped' | 'starting' | 'started' | 'failed';

interface RecoveredFrame {
  readonly firstPosition: number;
  readonly tuples: readonly Tuple[];
}

/**
 * The embedded, durable {@link EventStore}: an append-only log of checksummed frames in
 * segment files, with group commit. A crash (even `kill -9`) never loses an acknowledged
 * append nor exposes half of one; damaged bytes are reported, never returned. One process
 * at a time may open a folder (a lock file says which).
 *
 * @example
 * const store = new FileEventStore({ storagePath: './data/events' });
 * store.onCorruption(({ file, offset, reason }) => log.error({ file, offset, reason }));
 * await store.start();
 * const { nextExpectedVersion } = await store.appendToStream('cart-1', [event], { expectedVersion: 'no_stream' });
 * await store.stop();
 */
export class FileEventStore implements EventStore {
  readonly #storagePath: string;
  readonly #maxMemoryEvents: number;
  readonly #compression: boolean;
  readonly #fsync: FsyncMode;
  readonly #segmentSizeBytes: number;
  readonly #clock: Clock;
  readonly #corruption = new EventEmitter<CorruptionReport>();

  #state: State = 'stopped';
  #failure: unknown;
  #sequencer = new Sequencer();
  #window: EventWindow;
  #log: SegmentLog | undefined;
  #releaseLock: (() => Promise<void>) | undefined;
  #queue: PendingAppend[] = [];
  #draining: Promise<void> | undefined;
  #starting: Promise<void> | undefined;
  #reported = new Set<string>();

  /** @throws TypeError or RangeError naming the option when the config is invalid. */
  constructor(config: FileEventStoreConfig = {}) {
    validateConfig('FileEventStoreConfig', config, schema);
    this.#storagePath = resolve(config.storagePath ?? './event_store');
    this.#maxMemoryEvents = config.maxMemoryEvents ?? 10_000;
    this.#compression = config.compression ?? true;
    this.#fsync = config.fsync ?? 'batch';
    this.#segmentSizeBytes = config.segmentSizeBytes ?? 64 * 1024 * 1024;
    this.#clock = config.clock ?? systemClock;
    this.#window = new EventWindow(this.#maxMemoryEvents);
    if (config.onCorruption !== undefined) this.#corruption.subscribe(config.onCorruption);
  }

  /** The absolute path of the store's folder. */
  get storagePath(): string {
    return this.#storagePath;
  }

  /**
   * Calls `listener` for every damaged frame found (subscribe before `start()` to hear of
   * those found by recovery); each is also reported with `process.emitWarning`.
   */
  onCorruption(listener: Listener<CorruptionReport>): Disposable {
    return this.#corruption.subscribe(listener);
  }

  /**
   * Takes the lock, reads the log, truncates an unfinished write at its end (with a
   * warning) and reports damaged frames.
   *
   * @throws EventStoreLockedError when another running process has the store open.
   */
  start(): Promise<void> {
    if (this.#state === 'failed') return Promise.reject(this.#unavailable());
    if (this.#state === 'started') return Promise.resolve();
    this.#starting ??= this.#open().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async #open(): Promise<void> {
    this.#state = 'starting';
    try {
      await mkdir(this.#storagePath, { recursive: true });
      this.#releaseLock = await acquireLock(join(this.#storagePath, 'LOCK'), this.#storagePath);
      this.#sequencer = new Sequencer();
      this.#window = new EventWindow(this.#maxMemoryEvents);
      this.#reported = new Set();
      this.#failure = undefined;
      this.#log = new SegmentLog({
        directory: this.#storagePath,
        segmentSizeBytes: this.#segmentSizeBytes,
        fsync: this.#fsync,
        compression: this.#compression,
        report: (file, offset, reason) => this.#report(file, offset, reason),
      });
      await this.#recover(this.#log);
      this.#state = 'started';
    } catch (error) {
      await this.#closeFiles();
      this.#state = 'stopped';
      throw error;
    }
  }

  /** Waits for pending appends to be durable, then closes the files and releases the lock. */
  async stop(): Promise<void> {
    await this.#starting?.catch(() => {});
    if (this.#state === 'stopped') return;
    await this.#draining;
    if (this.#state === 'started' && this.#fsync === 'never') await this.#log?.sync();
    await this.#closeFiles();
    this.#state = 'stopped';
  }

  // Both append methods settle one promise, straight from the group commit loop.
  appendEvent(event: Event | EventInit): Promise<RecordedEvent> {
    try {
      this.#assertStarted();
      const actorId = event instanceof Event ? event.actorId : event?.actorId;
      const recorded = this.#sequencer.assign(actorId, [event], 'any');
      return this.#enqueue<RecordedEvent>(recorded, recorded[0]!);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  appendToStream(
    streamId: string,
    events: readonly (Event | EventInit)[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    try {
      this.#assertStarted();
      const recorded = this.#sequencer.assign(streamId, events, options.expectedVersion ?? 'any');
      const result: AppendResult = {
        nextExpectedVersion: this.#sequencer.version(streamId),
        events: recorded,
      };
      return recorded.length > 0 ? this.#enqueue(recorded, result) : Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #enqueue<T>(events: readonly RecordedEvent[], result: T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ events, result, resolve: resolve as (result: unknown) => void, reject });
      this.#draining ??= this.#drain();
    });
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    requireId('readStream: streamId', streamId);
    const { fromVersion, maxCount } = readStreamOptions(options);
    this.#assertStarted();
    const held = this.#window.stream(streamId, fromVersion, maxCount);
    if (held !== undefined) return held;
    const boundary = this.#window.firstPosition;
    const recent = this.#window.streamHeld(streamId);
    const older = await this.#log!.read(
      boundary,
      (event) => event.streamId === streamId && event.version >= fromVersion,
      { maxCount },
    );
    const all = older.concat(recent.filter((event) => event.version >= fromVersion));
    return maxCount < all.length ? all.slice(0, maxCount) : all;
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    const { fromPosition, maxCount } = readAllOptions(options);
    this.#assertStarted();
    const boundary = this.#window.firstPosition;
    const recent = this.#window.fromPosition(fromPosition, maxCount);
    if (fromPosition >= boundary) return recent;
    const older = await this.#log!.read(boundary, (event) => event.globalPosition >= fromPosition, {
      fromPosition,
      maxCount,
    });
    const all = older.length < maxCount ? older.concat(recent) : older;
    return maxCount < all.length ? all.slice(0, maxCount) : all;
  }

  /**
   * Iterates over the whole log in `globalPosition` order, like `readAll` with the same
   * options, without holding it in memory: older events are read from disk a frame at a time,
   * the recent ones come from memory. Events appended while iterating are included.
   *
   * @example
   * for await (const event of store.iterateAll({ fromPosition: checkpoint + 1 })) project(event);
   */
  iterateAll(options?: ReadAllOptions): AsyncGenerator<RecordedEvent, void, undefined> {
    return flattenBatches(this.#batches(options));
  }

  // The log for `iterateAll`, a frame (or what memory holds) at a time.
  async *#batches(options?: ReadAllOptions): AsyncGenerator<readonly RecordedEvent[], void, undefined> {
    const { fromPosition, maxCount } = readAllOptions(options);
    this.#assertStarted();
    let next = fromPosition;
    let left = maxCount;
    // Each pass reads from disk what the window no longer holds, which grows while reading.
    for (let boundary = this.#window.firstPosition; next < boundary; boundary = this.#window.firstPosition) {
      for await (const events of this.#log!.frames(boundary, { fromPosition: next })) {
        const taken = events.length > left ? events.slice(0, left) : events;
        left -= taken.length;
        if (taken.length > 0) yield taken;
        if (left === 0) return;
        next = events.at(-1)!.globalPosition + 1;
      }
      next = Math.max(next, boundary);
      this.#assertStarted();
    }
    const recent = this.#window.fromPosition(next, left);
    if (recent.length > 0) yield recent;
  }

  async getEventsForActor(actorId: string, range?: TimeRange): Promise<RecordedEvent[]> {
    requireId('getEventsForActor: actorId', actorId);
    const checked = timeRange(range);
    this.#assertStarted();
    const recent = this.#window.actor(actorId, checked);
    if (this.#window.complete) return recent;
    const older = await this.#log!.read(this.#window.firstPosition, (event) => event.actorId === actorId, {
      range: checked,
    });
    return filterByTime(older, checked).concat(recent);
  }

  async getEventsByCorrelation(correlationId: string): Promise<RecordedEvent[]> {
    requireId('getEventsByCorrelation: correlationId', correlationId);
    this.#assertStarted();
    const recent = this.#window.correlation(correlationId);
    if (this.#window.complete) return recent;
    const older = await this.#log!.read(
      this.#window.firstPosition,
      (event) => event.correlationId === correlationId,
    );
    return older.concat(recent);
  }

  replayEvents(events: Iterable<Event> | AsyncIterable<Event>, options?: ReplayOptions): Promise<number> {
    return replayEvents(events, options, this.#clock);
  }

  #assertStarted(): void {
    if (this.#state !== 'started') throw this.#unavailable();
  }

  #unavailable(): EventStoreUnavailableError {
    return this.#state === 'failed'
      ? new EventStoreUnavailableError(
          `The event store at "${this.#storagePath}" stopped accepting calls after a write failed; restart it`,
          { cause: this.#failure },
        )
      : new EventStoreUnavailableError(
          `The event store at "${this.#storagePath}" is not started; call start() first`,
        );
  }

  // The group commit loop: whatever queued while the previous write and sync ran goes out
  // as the next write, covered by one sync.
  async #drain(): Promise<void> {
    // Lets every append issued in the same tick join the first write.
    await Promise.resolve();
    while (this.#queue.length > 0) {
      const batch = this.#fsync === 'always' ? this.#queue.splice(0, 1) : this.#queue.splice(0);
      try {
        await this.#log!.append(batch.map((append) => append.events));
      } catch (error) {
        this.#fail(error, batch);
        break;
      }
      for (const append of batch) {
        for (const event of append.events) this.#window.add(event);
        append.resolve(append.result);
      }
    }
    this.#draining = undefined;
  }

  #fail(error: unknown, batch: PendingAppend[]): void {
    // What reached the disk of this batch is an unfinished write: recovery truncates it.
    this.#state = 'failed';
    this.#failure = error;
    const failed = this.#unavailable();
    for (const append of batch.concat(this.#queue.splice(0))) append.reject(failed);
  }

  // Restores every stream's version, and turns only the newest `maxMemoryEvents` events
  // into event objects, for the window.
  async #recover(log: SegmentLog): Promise<void> {
    const tail: RecoveredFrame[] = [];
    let head = 0;
    let held = 0;
    await log.open((firstPosition, tuples) => {
      // A frame overlapping positions already read cannot be trusted.
      if (firstPosition <= this.#sequencer.lastPosition) return false;
      for (let i = 0; i < tuples.length; i++) {
        const [streamId, version] = tuples[i]!;
        this.#sequencer.restore(streamId, version, firstPosition + i);
      }
      tail.push({ firstPosition, tuples });
      held += tuples.length;
      while (head < tail.length && held - tail[head]!.tuples.length >= this.#maxMemoryEvents) {
        held -= tail[head]!.tuples.length;
        tail[head++] = undefined as unknown as RecoveredFrame;
      }
      if (head > 1024 && head * 2 > tail.length) {
        tail.splice(0, head);
        head = 0;
      }
      return true;
    });
    for (const frame of tail.slice(head)) {
      for (const event of tupleEvents(frame.tuples, frame.firstPosition)) this.#window.add(event);
    }
    this.#window.resetAfter(this.#sequencer.lastPosition);
  }

  #report(file: string, offset: number, reason: string): void {
    const key = `${file}:${offset}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    process.emitWarning(
      `Event store corruption in ${file} at byte ${offset}: ${reason}; the damaged events are not returned`,
      { type: 'BulwarkCorruptionWarning', code: 'EVENT_STORE_CORRUPTION' },
    );
    this.#corruption.emit(Object.freeze({ file, offset, reason }));
  }

  async #closeFiles(): Promise<void> {
    const log = this.#log;
    this.#log = undefined;
    await log?.close();
    const release = this.#releaseLock;
    this.#releaseLock = undefined;
    await release?.();
  }
}
