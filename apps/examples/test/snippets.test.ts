/**
 * Every code snippet of README.md and docs/*.md, run as written, in the project a new user has
 * (test/support/user-project.ts), on the Node line running the tests (CI: 20, 22, 24 and 26).
 *
 * What a fence's info string means here (the README points to this list):
 * - ```ts / ```js (also typescript, javascript, mts, mjs, cts, cjs): a complete program. A `ts`/`js`
 *   program runs in a new CommonJS project (`npm init -y`) and in a `"type": "module"` one, since it
 *   must work in both; an `.mts`/`.mjs` or `.cts`/`.cjs` one runs once, its extension fixing the
 *   format. TypeScript runs with tsx (`node --import tsx`), JavaScript with plain `node`.
 * - `esm` (```ts esm): the program needs `"type": "module"` (top-level await, say); the doc must say
 *   so. It runs only in that project.
 * - `node>=24` (say): the program needs that Node line; on older lines its test is skipped and its
 *   name says why.
 * - `fragment` (```ts fragment): not a complete program (a signature, an object's shape, a line that
 *   only makes sense inside a program). Not run: each is a skipped test named by its location.
 * - ```text output, the first fence after a program: what the program prints, line by line; stdout
 *   must be exactly that. `unordered=2-4` in its info string: lines 2 to 4 come in any order (results
 *   in completion order), as the prose beside it says.
 * Every program must also exit 0 and write nothing to stderr (no warning either). Every fence names its
 * language (```sh for commands, ```text for diagrams), so that no program hides in an unmarked block.
 *
 * One project per module format serves every snippet; programs run two at a time (two cores).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CodeBlock, documentationFiles, readCodeBlocks } from './support/markdown-blocks.js';
import {
  createUserProject,
  type ModuleType,
  REPO_ROOT,
  runInProject,
  type UserProject,
} from './support/user-project.js';

/** The file a program is saved as, by its fence's language. */
const PROGRAM_EXTENSIONS: Readonly<Record<string, string>> = {
  ts: '.ts',
  typescript: '.ts',
  mts: '.mts',
  cts: '.cts',
  js: '.js',
  javascript: '.js',
  mjs: '.mjs',
  cjs: '.cjs',
};
/** Bound of one program's run; the README's quick start takes about 5 s, most of it its sleeps. */
const RUN_TIMEOUT_MS = 45_000;
/** Programs running at once (each starts a pool of workers). */
const LANES = 2;
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

interface Program {
  readonly block: CodeBlock;
  readonly extension: string;
  readonly types: readonly ModuleType[];
  readonly nodeMajor: number;
  readonly output: CodeBlock | undefined;
}

const location = (block: CodeBlock): string => `${block.file}:${block.line}`;
const isOutput = (block: CodeBlock | undefined): boolean =>
  block?.language === 'text' && block.words.includes('output');

function projectTypes(block: CodeBlock, extension: string): ModuleType[] {
  if (extension === '.mts' || extension === '.mjs' || block.words.includes('esm')) return ['module'];
  if (extension === '.cts' || extension === '.cjs') return ['commonjs'];
  return ['commonjs', 'module'];
}

const blocks = documentationFiles(REPO_ROOT).flatMap((file) => readCodeBlocks(REPO_ROOT, file));
const programs: Program[] = [];
const fragments: CodeBlock[] = [];
for (const [index, block] of blocks.entries()) {
  const extension = PROGRAM_EXTENSIONS[block.language];
  if (extension === undefined) continue;
  if (block.words.includes('fragment')) {
    fragments.push(block);
    continue;
  }
  const next = blocks[index + 1];
  const needs = block.words.map((word) => /^node>=(\d+)$/.exec(word)?.[1]).find(Boolean);
  programs.push({
    block,
    extension,
    types: projectTypes(block, extension),
    nodeMajor: Number(needs ?? 0),
    output: next !== undefined && next.file === block.file && isOutput(next) ? next : undefined,
  });
}

/** `unordered=2-4,7-8` → [[1, 4], [6, 8]]: 0-based start, end excluded. */
function unorderedRanges(output: CodeBlock): Array<[number, number]> {
  const spec = output.words.find((word) => word.startsWith('unordered='));
  if (spec === undefined) return [];
  return spec
    .slice('unordered='.length)
    .split(',')
    .map((range) => {
      const [first, last = first] = range.split('-').map(Number) as [number, number?];
      return [first - 1, last];
    });
}

/** The lines, each unordered range sorted: equal for two outputs that differ only where order is free. */
function comparable(text: string, ranges: ReadonlyArray<[number, number]>): string[] {
  const lines = text.trimEnd().split('\n');
  for (const [start, end] of ranges) lines.splice(start, end - start, ...lines.slice(start, end).sort());
  return lines;
}

let lanesInUse = 0;
const waiting: Array<() => void> = [];
async function inLane<T>(work: () => Promise<T>): Promise<T> {
  if (lanesInUse < LANES) lanesInUse++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else lanesInUse--;
  }
}

describe('the Markdown of README.md and docs/', () => {
  it('names a language on every fence, so that no program hides in an unmarked block', () => {
    expect(blocks.filter((block) => block.language === '').map(location)).toEqual([]);
  });

  it('has every ```text output block right after the program whose output it shows', () => {
    const attached = new Set(programs.map((program) => program.output));
    const stray = blocks.filter((block) => isOutput(block) && !attached.has(block));
    expect(stray.map(location)).toEqual([]);
  });
});

describe.concurrent(`${programs.length} snippets run as written`, () => {
  const projects = new Map<ModuleType, UserProject>();
  beforeAll(() => {
    for (const type of ['commonjs', 'module'] as const) projects.set(type, createUserProject(type));
  });
  afterAll(() => {
    for (const project of projects.values()) project.remove();
  });

  for (const program of programs) {
    const { block, output } = program;
    for (const type of program.types) {
      const name = `${location(block)} \`\`\`${block.language}, in a new "${type}" project`;
      if (NODE_MAJOR < program.nodeMajor) {
        it.skip(`${name}: skipped on Node ${NODE_MAJOR}, it needs Node >= ${program.nodeMajor}`, () => {});
        continue;
      }
      it(name, { timeout: 3 * RUN_TIMEOUT_MS }, async () => {
        const project = projects.get(type) as UserProject;
        const file = project.write(
          `${block.file.replace(/[/.]/g, '-')}-${block.line}${program.extension}`,
          block.code,
        );
        const run = await inLane(() => runInProject(project, file, RUN_TIMEOUT_MS));
        expect(run.stderr).toBe('');
        expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
        if (output !== undefined) {
          const ranges = unorderedRanges(output);
          expect(comparable(run.stdout, ranges)).toEqual(comparable(output.code, ranges));
        }
      });
    }
  }
});

if (fragments.length > 0) {
  describe(`${fragments.length} fragments (marked "fragment" in their info string), not run`, () => {
    for (const block of fragments) {
      it.skip(`${location(block)} \`\`\`${block.language} fragment: not a complete program`, () => {});
    }
  });
}
