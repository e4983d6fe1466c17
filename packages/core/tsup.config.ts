import { rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { defineConfig, type Options } from 'tsup';

/**
 * One copy of core per process. All of core's code is one CommonJS bundle, `core.cjs` (CommonJS
 * starts a worker faster than ES modules do); the entries `index` and `child`, as ES modules and as
 * CommonJS, only re-export from it. Otherwise a worker whose loop came from one build and whose task
 * module imported `@mproc/core` from another would hold two copies of every class, and `instanceof`
 * would fail between them. The conformance suite is an ES module (vitest cannot be required) that
 * reaches core through these entries too.
 */
const ENTRIES = { index: 'src/index.ts', child: 'src/child/index.ts' };

// The builds below run at once: clean before any of them, not in each.
rmSync('dist', { recursive: true, force: true });

const common: Options = { sourcemap: true, shims: true, target: 'node20' };

/** The published types leave out what is marked `@internal` (the executor's hooks into Pool). */
const dtsOptions = { compilerOptions: { stripInternal: true } };

/**
 * Writes the four entry files, each naming the exports it takes from `core.cjs`. The ES modules load
 * it with `require` rather than `import`: importing CommonJS runs Node's export lexer over the whole
 * bundle (measured: +9 MiB and ~40 ms at every start of a parent).
 */
async function writeEntries(): Promise<void> {
  const core = createRequire(import.meta.url)('./dist/core.cjs') as Record<string, unknown>;
  const entries = {
    index: {
      from: 'core',
      names: Object.keys(core).filter((key) => key !== 'child' && key !== '__esModule'),
    },
    child: { from: 'core.child', names: Object.keys(core.child as object) },
  };
  for (const [entry, { from, names }] of Object.entries(entries)) {
    const load = `const core = require('./core.cjs');\n`;
    await writeFile(
      `dist/${entry}.cjs`,
      `'use strict';\n${load}module.exports = {\n${names.map((name) => `  ${name}: ${from}.${name},`).join('\n')}\n};\n`,
    );
    await writeFile(
      `dist/${entry}.js`,
      `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${load}export const {\n  ${names.join(',\n  ')},\n} = ${from};\n`,
    );
  }
}

export default defineConfig([
  // The code, then the entries that re-export it.
  { ...common, entry: { core: 'src/bundle.ts' }, format: ['cjs'], onSuccess: writeEntries },
  // The types of the entries, for both formats.
  { ...common, entry: ENTRIES, format: ['esm', 'cjs'], dts: { ...dtsOptions, only: true } },
  // The conformance suite: it imports core by name, so it shares the one copy too.
  {
    ...common,
    entry: { testing: 'src/testing/index.ts' },
    format: ['esm'],
    dts: true,
    external: ['vitest', 'fast-check', '@mproc/core', '@mproc/core/child'],
  },
]);
