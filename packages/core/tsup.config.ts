import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', child: 'src/child/index.ts', testing: 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node20',
  external: ['vitest'],
});
