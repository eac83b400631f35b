import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteKeys, randomPrefix, redisUrl, skipReason } from './redis-helpers.js';

const script = fileURLToPath(new URL('./fixtures/breaker-process.ts', import.meta.url));

/** A child process running one breaker, and the lines it prints. */
function start(url: string, prefix: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, url, prefix], { stdio: 'pipe' });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const wake of waiters.splice(0)) wake();
  });
  const next = async (prefixOfLine: string, timeoutMs = 10_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.find((line) => line.startsWith(prefixOfLine));
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no "${prefixOfLine}" line; got ${JSON.stringify(lines)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50).unref();
      });
    }
  };
  return { child, next, send: (command: string) => child.stdin.write(`${command}\n`) };
}

describe.skipIf(!redisUrl)(`RedisBreakerStateStore across real processes (${skipReason})`, () => {
  const prefix = randomPrefix();
  const children: ChildProcessWithoutNullStreams[] = [];

  afterEach(async () => {
    for (const child of children.splice(0)) child.kill();
    await deleteKeys(redisUrl as string, prefix);
  });

  it('shows an open decided in one process to another process', async () => {
    const opener = start(redisUrl as string, prefix);
    const watcher = start(redisUrl as string, prefix);
    children.push(opener.child, watcher.child);
    await Promise.all([opener.next('ready'), watcher.next('ready')]);
    opener.send('fail');
    await opener.next('opened');
    await watcher.next('open ');
    watcher.send('status');
    expect(await watcher.next('status')).toBe('status open true');
    for (const process of [opener, watcher]) process.send('exit');
    const exits = [opener.child, watcher.child].map(
      (child) => new Promise<number | null>((resolve) => child.on('exit', resolve)),
    );
    expect(await Promise.all(exits)).toEqual([0, 0]);
  }, 20_000);
});
