#!/usr/bin/env node
/**
 * Builds the optional native addon of @mproc/core (native/mproc_shm.c → native/build/mproc_shm.node)
 * with the system C compiler and the Node-API headers: no node-gyp, no download. Runs as the
 * package's install script. It never fails the install: when it cannot build (no compiler, not
 * Linux) it prints one line and the library uses its slower fallback for shared Values and locks.
 * A prebuilt binary in prebuilds/<platform>-<arch>/ (as a published package may carry) skips the build.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const source = join(root, 'native', 'mproc_shm.c');
const output = join(root, 'native', 'build', 'mproc_shm.node');
const prebuilt = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'mproc_shm.node');
// Why the last build failed, for the library's fallback warning (src/shared/native-addon.ts).
const notBuilt = join(root, 'native', 'build', 'not-built.txt');

function say(message) {
  console.log(`@mproc/core: ${message}`);
}

function fallback(reason) {
  mkdirSync(dirname(notBuilt), { recursive: true });
  writeFileSync(notBuilt, `${reason}\n`);
  say(
    `native shared-memory addon not built (${reason}); Value, Array and locks on process start methods use the slower fallback`,
  );
  process.exit(0);
}

/** Node-API headers: the node-api-headers package when installed, else those beside this Node. */
function headers() {
  try {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('node-api-headers/package.json')), 'include');
    if (existsSync(join(dir, 'node_api.h'))) return dir;
  } catch {}
  const beside = join(dirname(process.execPath), '..', 'include', 'node');
  return existsSync(join(beside, 'node_api.h')) ? beside : undefined;
}

if (existsSync(prebuilt)) {
  say(`using the prebuilt native addon ${relative(root, prebuilt)}`);
  process.exit(0);
}
if (process.env.MPROC_NO_NATIVE === '1') fallback('MPROC_NO_NATIVE=1');
if (process.platform !== 'linux') fallback(`it needs Linux (memfd, futex), this is ${process.platform}`);
const include = headers();
if (!include) fallback('no Node-API headers: install node-api-headers');

const compiler = process.env.CC || 'cc';
const temporary = join(dirname(output), `mproc_shm.${process.pid}.tmp.node`);
try {
  mkdirSync(dirname(output), { recursive: true });
  execFileSync(compiler, ['-O2', '-fPIC', '-shared', '-Wall', '-o', temporary, source, '-I', include], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Loading proves the build; the rename makes the new file appear whole to running processes.
  createRequire(import.meta.url)(temporary);
  renameSync(temporary, output);
  rmSync(notBuilt, { force: true });
  say(`built the native shared-memory addon ${relative(root, output)}`);
} catch (error) {
  rmSync(temporary, { force: true });
  const detail =
    error.code === 'ENOENT'
      ? `no C compiler '${compiler}'`
      : String(error.stderr || error.message)
          .trim()
          .split('\n')[0];
  fallback(detail);
}
