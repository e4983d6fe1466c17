/**
 * Type-checks every `@example` of @mproc/core's TSDoc against the built package, so the examples of
 * the API reference stay true (`npm run typecheck` runs it). An example with imports is a module of its
 * own; any other is the body of an async function, with these names in scope: `getContext`, `Pool`,
 * `ProcessPoolExecutor`, `Value`, and `ctx` (a Context), `pool`, `executor`, `square(n)` and `ready`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXAMPLES = fileURLToPath(new URL('..', import.meta.url));
const REPO = join(EXAMPLES, '../..');
const SOURCES = join(REPO, 'packages/core/src');
const OUT = join(EXAMPLES, '.tsdoc-examples');
const EXAMPLE = /@example[^\n]*\n \* ```ts\n([\s\S]*?)\n \* ```/g;

const PRELUDE = `import { type Context, getContext, Pool, ProcessPoolExecutor, Value } from '@mproc/core';
declare const ctx: Context;
declare const pool: Pool;
declare const executor: ProcessPoolExecutor;
declare function square(n: number): number;
declare const ready: Value;
`;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The examples of one file, as code (the comment's ` * ` taken off each line). */
function examplesOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(EXAMPLE)].map((match) =>
    (match[1] as string)
      .split('\n')
      .map((line) => line.replace(/^ \* ?/, ''))
      .join('\n'),
  );
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT);
const bodies: string[] = [];
let count = 0;
for (const file of sourceFiles(SOURCES)) {
  const where = relative(REPO, file);
  for (const code of examplesOf(file)) {
    count++;
    if (/^import /m.test(code)) writeFileSync(join(OUT, `example-${count}.ts`), `// ${where}\n${code}\n`);
    else bodies.push(`// ${where}\nexport async function example${count}(): Promise<void> {\n${code}\n}\n`);
  }
}
writeFileSync(join(OUT, 'bodies.ts'), `${PRELUDE}\n${bodies.join('\n')}`);
// Files listed one by one: TypeScript's include patterns skip a folder whose name starts with a dot.
const files = readdirSync(OUT);
writeFileSync(
  join(OUT, 'tsconfig.json'),
  JSON.stringify({ extends: '../tsconfig.json', include: [], files }),
);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', OUT], { stdio: 'inherit' });
  console.log(`the ${count} @example blocks of @mproc/core type-check`);
} catch {
  console.error('an @example of @mproc/core does not type-check (the file it comes from is named above it)');
  process.exitCode = 1;
} finally {
  rmSync(OUT, { recursive: true, force: true });
}
