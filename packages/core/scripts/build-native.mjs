#!/usr/bin/env node
/**
 * Builds the optional native addon of @mproc/core (native/mproc_shm.c) with a C compiler and the
 * Node-API headers: no node-gyp, no download. The package has no install script (npm 11 warns about
 * every package that has one): published packages carry prebuilt binaries, and this script is run
 * on purpose.
 *
 *   mproc-build-native             (the package's bin; `npx mproc-build-native` in a project) builds
 *                                  native/build/mproc_shm.node for this machine; exits 1 when it cannot
 *   mproc-build-native --optional  the same, exits 0 on failure (the monorepo's postinstall)
 *   mproc-build-native --prebuilds builds prebuilds/<platform>-<arch>/node.napi.<libc>.node for every
 *                                  target with a compiler here (the prepack step); linux-x64 glibc is
 *                                  required, the cross targets are skipped when their compiler is missing
 *
 * A failure prints one line; the compiler's full output is kept in native/build/build-error.log.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const source = join(root, 'native', 'mproc_shm.c');
const output = join(root, 'native', 'build', 'mproc_shm.node');
// Why the last build failed, for the library's fallback warning (src/shared/native-addon.ts).
const notBuilt = join(root, 'native', 'build', 'not-built.txt');
const errorLog = join(root, 'native', 'build', 'build-error.log');

/** Prebuilt targets, in node-gyp-build's layout (`prebuilds/<platform>-<arch>/node.napi.<libc>.node`). */
const TARGETS = [
  { dir: 'linux-x64', libc: 'glibc', compiler: 'cc', required: true },
  { dir: 'linux-x64', libc: 'musl', compiler: 'musl-gcc', debian: 'musl-tools' },
  { dir: 'linux-arm64', libc: 'glibc', compiler: 'aarch64-linux-gnu-gcc', debian: 'gcc-aarch64-linux-gnu' },
];

function say(message) {
  console.log(`@mproc/core: ${message}`);
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

/** Compiles to `file`; throws an Error whose message is one line, the full output in build-error.log. */
function compile(compiler, include, file, extra = []) {
  mkdirSync(dirname(file), { recursive: true });
  try {
    execFileSync(
      compiler,
      ['-O2', '-fPIC', '-shared', '-Wall', ...extra, '-o', file, source, '-I', include],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } catch (error) {
    if (error.code === 'ENOENT') throw new Error(`no C compiler '${compiler}'`);
    const printed = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    mkdirSync(dirname(errorLog), { recursive: true });
    writeFileSync(errorLog, `$ ${compiler} ... ${relative(root, source)}\n${printed || error.message}\n`);
    const lines = printed.split('\n');
    const first = printed
      ? (lines.find((line) => /error/i.test(line)) ?? lines[0])
      : `exited with status ${error.status ?? error.signal}`;
    throw new Error(`${compiler} failed: ${first.trim()} (full output: ${errorLog})`);
  }
}

function buildLocal(optional) {
  const fail = (reason) => {
    mkdirSync(dirname(notBuilt), { recursive: true });
    writeFileSync(notBuilt, `${reason}\n`);
    say(`native addon not built: ${reason}`);
    process.exit(optional ? 0 : 1);
  };
  if (process.env.MPROC_NO_NATIVE === '1') fail('MPROC_NO_NATIVE=1');
  if (process.platform !== 'linux') fail(`it needs Linux (memfd, futex), this is ${process.platform}`);
  const include = headers();
  if (!include) fail('no Node-API headers: install node-api-headers');
  const compiler = process.env.CC || 'cc';
  const temporary = join(dirname(output), `mproc_shm.${process.pid}.tmp.node`);
  try {
    compile(compiler, include, temporary);
    // Loading proves the build; the rename makes the new file appear whole to running processes.
    createRequire(import.meta.url)(temporary);
    renameSync(temporary, output);
    rmSync(notBuilt, { force: true });
    rmSync(errorLog, { force: true });
    say(`built the native addon ${relative(root, output)}`);
  } catch (error) {
    rmSync(temporary, { force: true });
    fail(error.message);
  }
}

function buildPrebuilds() {
  const include = headers();
  if (!include) throw new Error('no Node-API headers: run npm ci in the monorepo');
  rmSync(join(root, 'prebuilds'), { recursive: true, force: true });
  for (const target of TARGETS) {
    const file = join(root, 'prebuilds', target.dir, `node.napi.${target.libc}.node`);
    try {
      compile(target.compiler, include, file, ['-s']);
      say(`prebuilt ${relative(root, file)}`);
    } catch (error) {
      if (target.required) throw error;
      // The directory made for this target only, when no other target's binary is in it.
      if (readdirSync(dirname(file)).length === 0) rmdirSync(dirname(file));
      say(`skipped the ${target.dir} ${target.libc} prebuild: ${error.message} (Debian: ${target.debian})`);
    }
  }
}

const flags = new Set(process.argv.slice(2));
if (flags.has('--prebuilds')) {
  try {
    buildPrebuilds();
  } catch (error) {
    say(`cannot make the prebuilds: ${error.message}`);
    process.exit(1);
  }
} else {
  buildLocal(flags.has('--optional'));
}
