import { open } from 'node:fs/promises';
import { join } from 'node:path';

/** A segment file and what the store knows of its committed content. */
export interface Segment {
  readonly path: string;
  /** The global position its first frame starts at (planned, while it is empty). */
  readonly firstPosition: number;
  /** The last global position it holds; `firstPosition - 1` while empty. */
  lastPosition: number;
  /** Bytes known to be durable (or, with `fsync: 'never'`, written). */
  size: number;
  minTimestamp: number;
  maxTimestamp: number;
}

const SEGMENT_NAME = /^segment-(\d{20})\.log$/;

/** The file name of the segment starting at `firstPosition`; names sort in log order. */
export function segmentName(firstPosition: number): string {
  return `segment-${String(firstPosition).padStart(20, '0')}.log`;
}

/** The first position encoded in a segment file name, or undefined for another file. */
export function parseSegmentName(name: string): number | undefined {
  const match = SEGMENT_NAME.exec(name);
  return match === null ? undefined : Number(match[1]);
}

export function newSegment(directory: string, firstPosition: number): Segment {
  return {
    path: join(directory, segmentName(firstPosition)),
    firstPosition,
    lastPosition: firstPosition - 1,
    size: 0,
    minTimestamp: Number.POSITIVE_INFINITY,
    maxTimestamp: Number.NEGATIVE_INFINITY,
  };
}

/** Makes a directory's entries (a new or renamed file) durable. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
