/** The fallback warning names the real cause of a missing native addon, and its fix. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { linuxLibc, missingAddonReason, unsupportedPlatformReason } from '../src/shared/native-addon.js';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

describe('a missing native addon', () => {
  it('on a target without a prebuild and no local build: says so and names the build command', () => {
    const reason = missingAddonReason('linux-riscv64-glibc', undefined);
    expect(reason).toMatch(/carries no prebuilt native addon for linux-riscv64-glibc/);
    expect(reason).toMatch(/none was built here/);
    expect(reason).toMatch(/npx mproc-build-native/);
    expect(reason).toMatch(/build-essential/);
  });

  it('on a target that should have a prebuild: says this copy lacks it (e.g. a git checkout)', () => {
    const reason = missingAddonReason('linux-x64-glibc', undefined);
    expect(reason).toMatch(/prebuilt native addon for linux-x64-glibc is missing from this copy/);
    expect(reason).toMatch(/npx mproc-build-native/);
  });

  it("whose local build failed (no compiler): gives the build's own reason and a compiler to install", () => {
    const reason = missingAddonReason('linux-riscv64-glibc', "no C compiler 'cc'");
    expect(reason).toMatch(/building it here failed \(no C compiler 'cc'\)/);
    expect(reason).toMatch(/build-essential/);
    expect(reason).toMatch(/npx mproc-build-native/);
  });

  it('on another operating system: says only Linux is supported, nothing to install', () => {
    const reason = unsupportedPlatformReason('darwin');
    expect(reason).toMatch(/memfd and futex, which darwin does not have/);
    expect(reason).toMatch(/only Linux/);
  });

  it('names the libc as node-gyp-build does', () => {
    expect(['glibc', 'musl']).toContain(linuxLibc());
  });

  it('the build command says why in one line, keeps the compiler output, and clears both once it builds', () => {
    const marker = `${PACKAGE}native/build/not-built.txt`;
    const log = `${PACKAGE}native/build/build-error.log`;
    const run = (env: NodeJS.ProcessEnv, ...flags: string[]) =>
      execFileSync(process.execPath, ['scripts/build-native.mjs', ...flags], {
        cwd: PACKAGE,
        env,
        encoding: 'utf8',
      });
    try {
      expect(run({ ...process.env, CC: 'no-such-compiler-mproc' }, '--optional')).toMatch(/not built/);
      expect(readFileSync(marker, 'utf8')).toMatch(/no C compiler 'no-such-compiler-mproc'/);
      // A compiler that runs and fails: one line on stdout, everything it printed in the log.
      const output = run({ ...process.env, CC: 'false' }, '--optional');
      expect(output.trim().split('\n')).toHaveLength(1);
      expect(output).toMatch(
        /false failed: exited with status 1 \(full output: .*native\/build\/build-error\.log\)/,
      );
      expect(existsSync(log)).toBe(true);
      expect(() => run({ ...process.env, CC: 'no-such-compiler-mproc' })).toThrow();
    } finally {
      run({ ...process.env, CC: undefined });
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(log)).toBe(false);
  });
});
