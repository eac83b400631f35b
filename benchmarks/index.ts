import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchSuite, nsPerCall, renderSuite, runSuite } from './harness.js';

// Usage: npm run bench [-- <file-name-filter>]. Each benchmark file runs in a process of its
// own, so the heap one leaves behind does not slow the next.
const [first, second] = process.argv.slice(2);
const folder = fileURLToPath(new URL('.', import.meta.url));

async function runFile(file: string): Promise<void> {
  // The first measurement in a process reads high while the engine warms up; discard one.
  await nsPerCall(() => undefined);
  const module = (await import(pathToFileURL(`${folder}${file}`).href)) as { suites: readonly BenchSuite[] };
  for (const suite of module.suites) console.log(`${renderSuite(await runSuite(suite))}\n`);
}

if (first === '--file' && second !== undefined) {
  await runFile(second);
} else {
  const files = (await readdir(folder))
    .filter((file) => file.endsWith('.bench.ts') && (!first || file.includes(first)))
    .sort();
  console.log(`bulwark benchmarks — Node ${process.version}, ${process.platform}/${process.arch}\n`);
  for (const file of files) {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--file', file],
      { stdio: 'inherit' },
    );
    if (child.status !== 0) process.exitCode = 1;
  }
}
