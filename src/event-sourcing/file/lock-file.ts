import { open, readFile, rename, unlink } from 'node:fs/promises';
import { EventStoreLockedError } from '../errors.js';

/** Whether a process with this id runs (EPERM: it runs, under another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Takes the store's lock file, holding this process id. A lock left by a process that no
 * longer runs (a crash) is taken over; one held by a running process — this one included,
 * through another store object — is refused.
 *
 * @throws EventStoreLockedError when a running process holds the lock.
 * @returns a function that releases the lock.
 */
export async function acquireLock(path: string, storagePath: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(`${process.pid}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return async () => {
        if ((await readOwner(path)) === process.pid) await unlink(path);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(path);
    if (owner !== undefined && isRunning(owner)) throw new EventStoreLockedError(storagePath, owner);
    // Moving the stale lock aside is atomic: of two processes taking over, one renames it
    // and the other finds it gone and retries against the winner's fresh lock.
    try {
      await rename(path, `${path}.stale-${process.pid}`);
      await unlink(`${path}.stale-${process.pid}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new EventStoreLockedError(storagePath, (await readOwner(path)) ?? 0);
}
