/**
 * A new user's project, as the tests of the README's and the docs' snippets build it: a fresh folder
 * with a package.json (`"type": "commonjs"`, as `npm init -y` writes it, or `"type": "module"`) whose
 * node_modules links this repository's, where the built packages are; and a way to run a file there as
 * a user does: `node file`, or `node --import tsx file` for TypeScript (what the README recommends).
 *
 * The Node line is the one running the tests (`process.execPath`): CI runs `npm test` on each line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

export interface ProgramRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly milliseconds: number;
}

const TYPESCRIPT_EXTENSIONS: ReadonlySet<string> = new Set(['.ts', '.mts', '.cts']);

/**
 * Runs `file` of `project` as a user does, with an explicit bound: past `timeoutMs` the program is
 * killed and the promise rejects with what it printed. Settles on 'close', which waits for the stdio
 * of every worker that inherited it, so a worker that outlives the program runs into the bound.
 */
export function runInProject(project: UserProject, file: string, timeoutMs: number): Promise<ProgramRun> {
  // The program is a plain Node process, not one of vitest's: drop vitest's markers.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VITEST')) delete env[key];
  const args = TYPESCRIPT_EXTENSIONS.has(extname(file)) ? ['--import', 'tsx', file] : [file];
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: project.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file}: no exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, milliseconds: performance.now() - started });
    });
  });
}
