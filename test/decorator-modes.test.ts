import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('fixtures/decorated-service.ts', import.meta.url));

/** Compiles the fixture (and the library sources it imports) with tsc, then runs it with node. */
async function compileAndRun(experimentalDecorators: boolean): Promise<unknown> {
  const outDir = `${root}.cache/decorator-modes/${experimentalDecorators ? 'legacy' : 'tc39'}`;
  await rm(outDir, { recursive: true, force: true });
  const program = ts.createProgram([fixture], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts', 'lib.esnext.decorators.d.ts'],
    types: ['node'],
    strict: true,
    skipLibCheck: true,
    experimentalDecorators,
    rootDir: root,
    outDir,
  });
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((diagnostic) =>
    ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
  );
  expect(diagnostics).toEqual([]);
  // The output lives under the project so that node resolves the package's dependencies.
  await import('node:fs/promises').then((fs) => fs.writeFile(`${outDir}/package.json`, '{"type":"module"}'));
  const { stdout } = await promisify(execFile)(process.execPath, [
    `${outDir}/test/fixtures/decorated-service.js`,
  ]);
  return JSON.parse(stdout);
}

describe('a decorated TypeScript class', () => {
  it('compiles and behaves the same under TC39 and legacy decorators', { timeout: 120_000 }, async () => {
    const [standard, legacy] = await Promise.all([compileAndRun(false), compileAndRun(true)]);
    expect(standard).toEqual({
      countIsSync: true,
      counted: 3,
      missing: -1,
      described: 'apple x3',
      calls: 4,
      metadata: {
        count: [{ policy: 'fallback', options: { fallback: -1 } }],
        describe: [{ policy: 'fallback', options: {} }],
      },
    });
    expect(legacy).toEqual(standard);
  });
});
