import { defineConfig } from 'tsup';

/**
 * The build of every backend package. The child entry is its own file so the parent can start it by
 * path, next to the bundle.
 */
export default defineConfig({
  entry: { index: 'src/index.ts', 'child-entry': 'src/child-entry.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node20',
});
