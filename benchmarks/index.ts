import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchSuite, nsPerCall, renderSuite, runSuite } from './harness.js';

// Usage: npm run bench [-- <file-name-filter>]
const filter = process.argv[2];
const folder = fileURLToPath(new URL('.', import.meta.url));
const files = (await readdir(folder))
  .filter((file) => file.endsWith('.bench.ts') && (!filter || file.includes(filter)))
  .sort();

console.log(`bulwark benchmarks — Node ${process.version}, ${process.platform}/${process.arch}\n`);
// The first measurement in a process reads high while the engine warms up; discard one.
await nsPerCall(() => undefined);
for (const file of files) {
  const module = (await import(pathToFileURL(`${folder}${file}`).href)) as { suites: readonly BenchSuite[] };
  for (const suite of module.suites) {
    console.log(`${renderSuite(await runSuite(suite))}\n`);
  }
}
