/**
 * SPEC 3.2 on every start method: functions exported by the main script are found by reference
 * (so they may use the module's own names), in JavaScript and in TypeScript under tsx; forgetting
 * the isMainProcess() guard gives a clear error instead of workers starting workers.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const METHODS = ['fork', 'spawn', 'threads', 'cluster'];

async function runScript(args: string[], method: string, cwd = fixtures) {
  const { stdout } = await run(process.execPath, args, {
    cwd,
    env: { ...process.env, MPROC_TEST_METHOD: method },
    timeout: 30_000,
  });
  return stdout.trim();
}

describe.each(METHODS)('main module on %s', (method) => {
  it('a function exported by the guarded main script is found by reference', async () => {
    expect(await runScript(['guarded-main.mjs'], method)).toBe('101');
  });

  it('the same from a TypeScript main script run under tsx', async () => {
    expect(await runScript(['--import', 'tsx', 'guarded-main.ts'], method)).toBe('101');
  });

  it('task() called inside the isMainProcess() block fails the call saying to call it at top level', async () => {
    const output = await runScript(['task-in-guard.mjs'], method);
    expect(output).toMatch(/^TypeError: .*task\(\).*top level.*isMainProcess\(\)/);
  });

  it('a missing isMainProcess() guard fails the task with BootstrapError naming the guard', async () => {
    const output = await runScript(['unguarded-main.mjs'], method);
    expect(output).toMatch(/^BootstrapError: .*isMainProcess\(\)/);
  });
});

describe('a start method whose package is not installed', () => {
  it('is left out of getAllStartMethods() and getContext() names the package to install', async () => {
    // A project with @mproc/core and no backend; --preserve-symlinks keeps resolution inside it.
    const project = mkdtempSync(join(tmpdir(), 'mproc-no-backend-'));
    try {
      mkdirSync(join(project, 'node_modules', '@mproc'), { recursive: true });
      symlinkSync(
        fileURLToPath(new URL('..', import.meta.url)),
        join(project, 'node_modules', '@mproc', 'core'),
      );
      const script = `
        import { getAllStartMethods, getContext } from '@mproc/core';
        console.log(JSON.stringify(getAllStartMethods()));
        try { getContext('spawn'); } catch (error) { console.log(error.name + ': ' + error.message); }
      `;
      const output = await run(
        process.execPath,
        ['--preserve-symlinks', '--input-type=module', '-e', script],
        {
          cwd: project,
          timeout: 30_000,
        },
      );
      const [methods, error] = output.stdout.trim().split('\n');
      expect(JSON.parse(methods as string)).not.toContain('spawn');
      expect(error).toBe(
        "BackendUnavailableError: the start method 'spawn' needs the package @mproc/backend-spawn: npm install @mproc/backend-spawn",
      );
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
