import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CorruptionReport, FileEventStore } from '../../src/event-sourcing/index.js';
import { tempDir } from './helpers.js';

const writerScript = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));

// Runs the writer until `killAfterMs` after it is ready, kills it with SIGKILL and returns
// the ids it printed as acknowledged.
function runAndKill(
  storagePath: string,
  round: number,
  killAfterMs: number,
  whileRunning: (pid: number) => Promise<void> = async () => {},
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, storagePath, String(round)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (output === '' && chunk.startsWith('ready\n')) {
        whileRunning(child.pid!).then(
          () => setTimeout(() => child.kill('SIGKILL'), killAfterMs),
          (error: unknown) => {
            child.kill('SIGKILL');
            reject(error);
          },
        );
      }
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') {
        reject(new Error(`the writer exited on its own: ${errors}`));
        return;
      }
      // A line is acknowledged only when it was printed whole.
      const lines = output.split('\n');
      lines.pop();
      resolve(lines.filter((line) => line !== 'ready'));
    });
  });
}

describe('FileEventStore crash safety', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('bulwark-crash-');
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await dir.remove();
  });

  it('refuses to open a store that another running process writes to', { timeout: 30_000 }, async () => {
    let refusal: unknown;
    await runAndKill(dir.path, 0, 0, async (pid) => {
      refusal = await new FileEventStore({ storagePath: dir.path }).start().catch((error: unknown) => error);
      expect(refusal).toMatchObject({ code: 'EVENT_STORE_LOCKED', pid });
    });
    expect(refusal).toBeDefined();
  });

  it('keeps every acknowledged event exactly once, and nothing torn, across repeated SIGKILLs', {
    timeout: 60_000,
  }, async () => {
    const acknowledged: string[] = [];
    for (let round = 0; round < 5; round++) {
      acknowledged.push(...(await runAndKill(dir.path, round, 40 + Math.floor(Math.random() * 250))));
    }
    expect(acknowledged.length).toBeGreaterThan(100);

    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const reports: CorruptionReport[] = [];
    const store = new FileEventStore({
      storagePath: dir.path,
      onCorruption: (report) => reports.push(report),
    });
    await store.start();
    try {
      const all = await store.readAll();
      expect(reports).toEqual([]);
      const counts = new Map<string, number>();
      for (const event of all) counts.set(event.eventId, (counts.get(event.eventId) ?? 0) + 1);
      expect([...counts.values()].every((count) => count === 1)).toBe(true);
      const missing = acknowledged.filter((id) => !counts.has(id));
      expect(missing).toEqual([]);
      expect(all.map((event) => event.globalPosition)).toEqual(all.map((_, index) => index + 1));
      const streams = new Map<string, number[]>();
      for (const event of all)
        streams.set(event.streamId, [...(streams.get(event.streamId) ?? []), event.version]);
      for (const versions of streams.values())
        expect(versions).toEqual(versions.map((_, index) => index + 1));
      // Every commit is whole: an append of k events shows all k of its `index` values.
      const commits = new Map<string, unknown[]>();
      for (const event of all) {
        const key = `${event.streamId}/${String(event.data.n)}`;
        commits.set(key, [...(commits.get(key) ?? []), event.data.index]);
      }
      for (const [key, indexes] of commits) {
        const n = Number(key.split('/')[1]);
        expect(indexes).toEqual(Array.from({ length: 1 + (n % 3) }, (_, index) => index));
      }
    } finally {
      await store.stop();
    }
  });
});
