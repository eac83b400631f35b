import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    prometheus: 'src/prometheus/index.ts',
    redis: 'src/redis/index.ts',
    postgres: 'src/postgres/index.ts',
    opentelemetry: 'src/opentelemetry/index.ts',
  },
  dts: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  splitting: true,
  treeshake: true,
};

export default defineConfig([
  { ...shared, format: ['esm'] },
  // p-retry and p-timeout ship ESM only; Node 20 cannot require() them through the CJS interop helper.
  { ...shared, format: ['cjs'], noExternal: ['p-retry', 'p-timeout', 'is-network-error'] },
]);
