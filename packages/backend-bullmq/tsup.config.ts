import { defineConfig } from 'tsup';

const common = { sourcemap: true, shims: true, target: 'node20' } as const;

/**
 * The backend, as every backend is built; the worker host's command and the testing helpers (which
 * start that command from next to it) as ES modules.
 */
export default defineConfig([
  { ...common, entry: { index: 'src/index.ts' }, format: ['esm', 'cjs'], dts: true },
  { ...common, entry: { 'worker-cli': 'src/worker-cli.ts' }, format: ['esm'] },
  { ...common, entry: { testing: 'src/testing/index.ts' }, format: ['esm'], dts: true },
]);
