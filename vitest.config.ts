import { transform } from 'esbuild';
import { defineConfig, type Plugin } from 'vitest/config';

// Vite 8 does not lower decorators; esbuild does, in either mode.
function lowerDecorators(experimentalDecorators: boolean): Plugin {
  return {
    name: `bulwark:decorators-${experimentalDecorators ? 'legacy' : 'tc39'}`,
    enforce: 'pre',
    async transform(code, id) {
      if (!/\.[cm]?tsx?$/.test(id) || id.includes('/node_modules/') || !code.includes('@')) return null;
      const result = await transform(code, {
        loader: id.endsWith('x') ? 'tsx' : 'ts',
        target: 'node20',
        format: 'esm',
        sourcemap: true,
        sourcefile: id,
        tsconfigRaw: { compilerOptions: { experimentalDecorators, useDefineForClassFields: true } },
      });
      return { code: result.code, map: result.map };
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [lowerDecorators(false)],
        test: { name: 'tc39', include: ['test/**/*.test.ts'] },
      },
      {
        plugins: [lowerDecorators(true)],
        test: { name: 'legacy-decorators', include: ['test/**/*.decorators.test.ts'] },
      },
    ],
    coverage: { provider: 'v8', include: ['src/**'], reporter: ['text', 'json-summary'] },
  },
});
