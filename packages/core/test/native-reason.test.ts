/** The fallback warning names the real cause of a missing native addon, and its fix. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { missingAddonReason } from '../src/shared/native-addon.js';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

describe('a missing native addon', () => {
  it('whose install script never ran: says so, why (npm 11, --ignore-scripts) and npm rebuild', () => {
    const reason = missingAddonReason(undefined);
    expect(reason).toMatch(/install script did not run/);
    expect(reason).toMatch(/--ignore-scripts/);
    expect(reason).toMatch(/npm install-scripts approve @mproc\/core/);
    expect(reason).toMatch(/npm rebuild @mproc\/core/);
  });

  it("whose build failed: gives the build's own reason, a compiler to install and npm rebuild", () => {
    const reason = missingAddonReason("no C compiler 'cc'");
    expect(reason).toMatch(/could not build.*no C compiler 'cc'/);
    expect(reason).toMatch(/build-essential/);
    expect(reason).toMatch(/npm rebuild @mproc\/core/);
  });

  it('the install script records why it could not build, and clears it once it builds', () => {
    const marker = `${PACKAGE}native/build/not-built.txt`;
    const run = (env: NodeJS.ProcessEnv) =>
      execFileSync(process.execPath, ['scripts/build-native.mjs'], { cwd: PACKAGE, env, encoding: 'utf8' });
    try {
      expect(run({ ...process.env, CC: 'no-such-compiler-mproc' })).toMatch(/not built/);
      expect(readFileSync(marker, 'utf8')).toMatch(/no C compiler 'no-such-compiler-mproc'/);
    } finally {
      run({ ...process.env, CC: undefined });
    }
    expect(existsSync(marker)).toBe(false);
    rmSync(marker, { force: true });
  });
});
