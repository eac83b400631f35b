import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./fixtures-every-policy.ts', import.meta.url));

describe('a script that uses every policy once', () => {
  it('exits by itself: no timer the policies leave behind keeps the process alive', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exit = await new Promise<{ code: number | null; killed: boolean }>((resolve) => {
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('exit', (code, signal) => {
        clearTimeout(killer);
        resolve({ code, killed: signal === 'SIGKILL' });
      });
    });
    expect(stderr).toBe('');
    expect(exit).toEqual({ code: 0, killed: false });
    expect(JSON.parse(stdout)).toEqual({
      retry: 2,
      timeout: 'timed out',
      breaker: 'closed',
      bulkhead: '1+2',
      fallback: 'fallback',
      rateLimit: 'ab',
      hedge: 'hedged',
      adaptive: 'limited',
      pipeline: 'slow',
      health: 'healthy',
    });
  }, 40_000);
});
