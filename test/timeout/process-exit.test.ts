import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./fixtures/uses-retry-and-timeout.ts', import.meta.url));

describe('retry and timeout timers', () => {
  it('hold a script while it awaits them and let it exit by itself afterwards', async () => {
    const startedAt = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => {
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('exit', (exitCode) => {
        clearTimeout(killer);
        resolve(exitCode);
      });
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ retried: 2, quick: 'quick', fallback: 'fallback' });
    expect(performance.now() - startedAt).toBeLessThan(15_000);
  }, 25_000);
});
