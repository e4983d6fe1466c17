import { defineConfig } from 'tsup';

const common = { sourcemap: true, shims: true, target: 'node20' } as const;

/** The backend, as every backend is built; the worker host's command as one ES module. */
export default defineConfig([
  { ...common, entry: { index: 'src/index.ts' }, format: ['esm', 'cjs'], dts: true, clean: true },
  { ...common, entry: { 'worker-cli': 'src/worker-cli.ts' }, format: ['esm'] },
]);
