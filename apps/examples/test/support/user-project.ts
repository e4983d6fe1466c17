/**
 * A new user's project, as the tests of the README's and the docs' snippets build it: a fresh folder
 * with a package.json (`"type": "commonjs"`, as `npm init -y` writes it, or `"type": "module"`) whose
 * node_modules links this repository's, where the built packages are; and a way to run a file there as
 * a user does: `node file`, or `node --import tsx file` for TypeScript (what the README recommends).
 *
 * The Node line is the one running the tests (`process.execPath`): CI runs `npm test` on each line.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProgramRun, runNode } from './run-node.js';

export type { ProgramRun } from './run-node.js';

/** The repository's root folder (it holds README.md, docs/ and the node_modules a project links). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The `type` field of a project's package.json: how Node reads its `.js` and `.ts` files. */
export type ModuleType = 'commonjs' | 'module';

export interface UserProject {
  readonly type: ModuleType;
  readonly dir: string;
  /** Writes `source` as `name` in the project; returns `name`. */
  write(name: string, source: string): string;
  remove(): void;
}

export function createUserProject(type: ModuleType): UserProject {
  const dir = mkdtempSync(join(tmpdir(), `mproc-user-${type}-`));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'first-contact', version: '1.0.0', type }));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return {
    type,
    dir,
    write(name, source) {
      writeFileSync(join(dir, name), source);
      return name;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const TYPESCRIPT_EXTENSIONS: ReadonlySet<string> = new Set(['.ts', '.mts', '.cts']);

/** Runs `file` of `project` as a user does (see runNode for the bound). */
export function runInProject(project: UserProject, file: string, timeoutMs: number): Promise<ProgramRun> {
  const args = TYPESCRIPT_EXTENSIONS.has(extname(file)) ? ['--import', 'tsx', file] : [file];
  return runNode(args, { cwd: project.dir, timeoutMs, label: file });
}
