import { type FileHandle, open, readdir, readFile } from 'node:fs/promises';
import type { RecordedEvent } from '../event.js';
import type { TimeRange } from '../event-store.js';
import { encodeFrame, type FrameHeader, scanFrames } from './frame.js';
import type { FsyncMode } from './fsync-mode.js';
import { encodePayload, parsePayload } from './payload.js';
import { newSegment, parseSegmentName, type Segment, syncDirectory } from './segments.js';
import { type Tuple, tupleEvents } from './tuple.js';

// Commits are cut into frames of about this many events, never splitting one append. Small
// frames keep what a reader parses at once short-lived (young garbage is cheap; a frame of
// thousands of events outlives a collection and is copied) and still compress as well.
const FRAME_EVENTS = 256;

/** How a {@link SegmentLog} writes, and where it reports damage. */
export interface SegmentLogOptions {
  readonly directory: string;
  readonly segmentSizeBytes: number;
  readonly fsync: FsyncMode;
  readonly compression: boolean;
  readonly report: (file: string, offset: number, reason: string) => void;
}

/** What `read` may skip: positions before `fromPosition`, and segments outside `range`. */
export interface ReadHints {
  readonly fromPosition?: number;
  readonly maxCount?: number;
  readonly range?: TimeRange;
}

/**
 * The segment files of a store: recovery, appending checksummed frames (with syncs and
 * segment rolling) and reading committed frames back.
 */
export class SegmentLog {
  readonly #options: SegmentLogOptions;
  #segments: Segment[] = [];
  #handle: FileHandle | undefined;

  constructor(options: SegmentLogOptions) {
    this.#options = options;
  }

  /**
   * Reads every segment in order, truncating an unfinished write at the end of the last
   * one and reporting damaged frames, and hands each intact frame to `accept`, which says
   * whether it was taken. Then opens the last segment for appending.
   */
  async open(accept: (firstPosition: number, tuples: readonly Tuple[]) => boolean): Promise<void> {
    const { directory } = this.#options;
    const found = (await readdir(directory))
      .map((name) => parseSegmentName(name))
      .filter((firstPosition): firstPosition is number => firstPosition !== undefined)
      .sort((a, b) => a - b);
    this.#segments = [];
    for (let index = 0; index < found.length; index++) {
      const segment = newSegment(directory, found[index]!);
      await this.#recover(segment, index === found.length - 1, accept);
      this.#segments.push(segment);
    }
    const last = this.#segments.at(-1);
    if (last === undefined) await this.#openSegment(newSegment(directory, 1));
    else this.#handle = await open(last.path, 'a');
  }

  /** Writes the commits (each a frame or more, never split) and syncs as `fsync` says. */
  async append(commits: readonly (readonly RecordedEvent[])[]): Promise<void> {
    const groups: RecordedEvent[][] = [];
    let pending: RecordedEvent[] = [];
    for (const events of commits) {
      for (const event of events) pending.push(event);
      if (pending.length >= FRAME_EVENTS) {
        groups.push(pending);
        pending = [];
      }
    }
    if (pending.length > 0) groups.push(pending);
    // Large frames are compressed on the thread pool, side by side.
    const frames = await Promise.all(groups.map((events) => this.#frame(events)));
    const handle = this.#handle!;
    const bytesWritten = await writeAll(handle, frames);
    if (this.#options.fsync !== 'never') await handle.datasync();
    const segment = this.#segments.at(-1)!;
    segment.size += bytesWritten;
    for (const events of commits) {
      for (const event of events) {
        segment.lastPosition = event.globalPosition;
        noteTimestamp(segment, event.timestamp);
      }
    }
    if (segment.size >= this.#options.segmentSizeBytes) await this.#roll();
  }

  /**
   * Reads committed events below `boundary` that `matches`, in order, skipping segments and
   * frames that cannot match.
   */
  async read(
    boundary: number,
    matches: (event: RecordedEvent) => boolean,
    hints: ReadHints = {},
  ): Promise<RecordedEvent[]> {
    const { maxCount = Number.POSITIVE_INFINITY } = hints;
    const found: RecordedEvent[] = [];
    for await (const events of this.frames(boundary, hints)) {
      for (const event of events) if (matches(event)) found.push(event);
      if (found.length >= maxCount) break;
    }
    return found;
  }

  /**
   * Yields, frame by frame and in order, the committed events from `hints.fromPosition` up
   * to (not including) `boundary`, reading one segment at a time.
   */
  async *frames(boundary: number, hints: ReadHints = {}): AsyncGenerator<RecordedEvent[]> {
    const { fromPosition = 1, range = {} } = hints;
    for (const segment of this.#segments.slice()) {
      if (segment.firstPosition >= boundary) break;
      if (segment.lastPosition < fromPosition || !overlaps(segment, range)) continue;
      const data = (await readFile(segment.path)).subarray(0, segment.size);
      for (const item of scanFrames(data)) {
        if (item.kind !== 'frame') {
          if (item.kind === 'corrupt') this.#options.report(segment.path, item.offset, item.reason);
          continue;
        }
        const { firstPosition, eventCount } = item.header;
        if (firstPosition + eventCount <= fromPosition) continue;
        if (firstPosition >= boundary) return;
        const tuples = this.#parse(segment, item.header, item.payload);
        const from = Math.max(fromPosition - firstPosition, 0);
        const to = Math.min(boundary - firstPosition, tuples.length);
        if (from < to) yield tupleEvents(tuples, firstPosition, from, to);
      }
    }
  }

  /** Makes every write durable (used by `stop()` with `fsync: 'never'`). */
  async sync(): Promise<void> {
    await this.#handle?.datasync();
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }

  async #recover(
    segment: Segment,
    isLast: boolean,
    accept: (firstPosition: number, tuples: readonly Tuple[]) => boolean,
  ): Promise<void> {
    const data = await readFile(segment.path);
    segment.size = data.length;
    for (const item of scanFrames(data)) {
      if (item.kind === 'torn' && isLast) {
        await this.#truncateTornTail(segment, item.offset, item.reason);
      } else if (item.kind === 'frame') {
        const tuples = this.#parse(segment, item.header, item.payload);
        if (tuples.length === 0 || !accept(item.header.firstPosition, tuples)) continue;
        segment.lastPosition = item.header.firstPosition + tuples.length - 1;
        for (const tuple of tuples) noteTimestamp(segment, tuple[5]);
      } else {
        this.#options.report(segment.path, item.offset, item.reason);
      }
    }
  }

  async #truncateTornTail(segment: Segment, offset: number, reason: string): Promise<void> {
    const handle = await open(segment.path, 'r+');
    try {
      await handle.truncate(offset);
      await handle.sync();
    } finally {
      await handle.close();
    }
    process.emitWarning(
      `Removed an unfinished write at the end of ${segment.path} (${segment.size - offset} bytes from offset ${offset}: ${reason}); no acknowledged append was in it`,
      { type: 'BulwarkRecoveryWarning', code: 'EVENT_STORE_TORN_WRITE' },
    );
    segment.size = offset;
  }

  #parse(segment: Segment, header: FrameHeader, payload: Buffer): Tuple[] {
    try {
      return parsePayload(header, payload);
    } catch (error) {
      this.#options.report(segment.path, header.offset, `undecodable frame: ${(error as Error).message}`);
      return [];
    }
  }

  async #frame(events: RecordedEvent[]): Promise<Buffer> {
    const { payload, flags } = await encodePayload(events, this.#options.compression);
    return encodeFrame(payload, events.length, flags, events[0]!.globalPosition);
  }

  async #roll(): Promise<void> {
    const previous = this.#handle!;
    if (this.#options.fsync === 'never') await previous.datasync();
    await previous.close();
    this.#handle = undefined;
    await this.#openSegment(newSegment(this.#options.directory, this.#segments.at(-1)!.lastPosition + 1));
  }

  async #openSegment(segment: Segment): Promise<void> {
    this.#handle = await open(segment.path, 'a');
    await syncDirectory(this.#options.directory);
    this.#segments.push(segment);
  }
}

async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<number> {
  const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  let written = (await handle.writev(buffers)).bytesWritten;
  if (written < total) {
    // A short write is rare on regular files but allowed; finish it from where it stopped.
    const rest = Buffer.concat(buffers).subarray(written);
    for (let offset = 0; offset < rest.length; ) {
      const { bytesWritten } = await handle.write(rest, offset);
      offset += bytesWritten;
    }
    written = total;
  }
  return written;
}

function noteTimestamp(segment: Segment, timestamp: number): void {
  if (timestamp < segment.minTimestamp) segment.minTimestamp = timestamp;
  if (timestamp > segment.maxTimestamp) segment.maxTimestamp = timestamp;
}

function overlaps(segment: Segment, { startTime, endTime }: TimeRange): boolean {
  return (
    (startTime === undefined || segment.maxTimestamp >= startTime) &&
    (endTime === undefined || segment.minTimestamp < endTime)
  );
}
