import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis the integration tests use; they are skipped when it is unset. */
export const redisUrl = process.env.BULWARK_REDIS_URL;

export const skipReason = 'needs BULWARK_REDIS_URL (e.g. redis://127.0.0.1:6379)';

/** A key prefix no other test shares. */
export const randomPrefix = (): string => `bulwark-test:${randomUUID()}:`;

/** Deletes every key under `prefix`. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url);
  try {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
  } finally {
    client.disconnect();
  }
}

/** Polls `check` every few milliseconds until it holds; returns how long that took. */
export async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<number> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return performance.now() - start;
}
