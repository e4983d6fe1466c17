/**
 * The README's quick start, run as written: its ```ts block is saved as square.ts in a new project
 * (CommonJS, as `npm init -y` makes it, and `"type": "module"`) and run with tsx, as the README says.
 * The project links this repository's node_modules, where the built packages are.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The first ```ts block under "## Quick start". */
function quickStart(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README.md has no ```ts block under "## Quick start"');
  return match[1] as string;
}

describe('README quick start', () => {
  for (const type of ['commonjs', 'module']) {
    it(`runs as written in a new "${type}" project`, { timeout: 60_000 }, async () => {
      const project = mkdtempSync(join(tmpdir(), 'mproc-readme-'));
      try {
        writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'first-contact', type }));
        symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
        writeFileSync(join(project, 'square.ts'), quickStart());
        const env: NodeJS.ProcessEnv = { ...process.env };
        for (const key of Object.keys(env)) if (key.startsWith('VITEST')) delete env[key];
        const { stdout } = await run(process.execPath, ['--import', 'tsx', 'square.ts'], {
          cwd: project,
          env,
          timeout: 45_000,
        });
        const lines = stdout.trim().split('\n');
        expect(lines[0]).toBe('[ 1, 4, 9, 16, 25 ]');
        expect(lines.slice(1, 4).sort()).toEqual(['36', '49', '64']);
        expect(lines.slice(4)).toEqual(['81']);
      } finally {
        rmSync(project, { recursive: true, force: true });
      }
    });
  }
});
