/**
 * The optional native part: `mproc_shm.node`, a small Node-API addon (native/mproc_shm.c) that maps
 * memfd memory into several processes and waits on its words with futex. The published package
 * carries it prebuilt under `prebuilds/<platform>-<arch>/node.napi.<libc>.node` (node-gyp-build's
 * layout); elsewhere it is built on purpose with `npx mproc-build-native` (scripts/build-native.mjs)
 * into native/build/. There is no install script. Without it, process start methods use the slower fallback
 * (shared/file-region.ts, sync/socket-mutex.ts) and say so once with a process warning.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's exports (see native/mproc_shm.c). */
export interface NativeAddon {
  create(byteLength: number): { buffer: ArrayBuffer; fd: number };
  open(path: string, byteLength: number): { buffer: ArrayBuffer; fd: number };
  /** Resolves 0 when woken, 1 when `milliseconds` passed, 2 when the word did not hold `expected`. */
  wait(buffer: ArrayBuffer, byteOffset: number, expected: number, milliseconds: number): Promise<number>;
  /** As `wait`, blocking the calling thread. */
  waitSync(buffer: ArrayBuffer, byteOffset: number, expected: number, milliseconds: number): number;
  wake(buffer: ArrayBuffer, byteOffset: number, count: number): number;
}

export const ADDON_FILE = 'mproc_shm.node';
/** Written beside the build by scripts/build-native.mjs when it could not build: why. */
const NOT_BUILT_FILE = 'not-built.txt';

/** The platforms and libcs that the published package carries a prebuilt addon for. */
export const PREBUILT_TARGETS = ['linux-x64-glibc', 'linux-x64-musl', 'linux-arm64-glibc'] as const;

const BUILD_HINT =
  'build it for this machine with `npx mproc-build-native` (needs a C compiler, Debian: build-essential)';

/**
 * Why there is no addon binary on Linux, and the fix: no prebuilt binary for this target and either
 * no local build yet or a local build that failed (`failure`, e.g. no C compiler).
 */
export function missingAddonReason(target: string, failure: string | undefined): string {
  const carried = (PREBUILT_TARGETS as readonly string[]).includes(target);
  const prebuild = carried
    ? `the prebuilt native addon for ${target} is missing from this copy of @mproc/core (reinstall it)`
    : `@mproc/core carries no prebuilt native addon for ${target}`;
  if (failure) {
    return `${prebuild}, and building it here failed (${failure}): install a C compiler (Debian: build-essential) and run \`npx mproc-build-native\``;
  }
  return `${prebuild} and none was built here: ${BUILD_HINT}`;
}

/** Why there is no addon on an operating system other than Linux: there is no fix but the fallback. */
export function unsupportedPlatformReason(platform: string): string {
  return `the native addon uses memfd and futex, which ${platform} does not have (only Linux is supported; nothing to install)`;
}

/**
 * `glibc` or `musl`, as node-gyp-build names them: the ldd script names its libc (as detect-libc
 * reads it); else glibc's process report has a version. The report takes about 10 ms, so it is
 * only the last resort: this runs in every process that loads the addon.
 */
export function linuxLibc(): 'glibc' | 'musl' {
  try {
    const ldd = readFileSync('/usr/bin/ldd', 'latin1');
    if (ldd.includes('musl')) return 'musl';
    if (ldd.includes('GLIBC') || ldd.includes('GNU C Library')) return 'glibc';
  } catch {}
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

type Availability = { addon: NativeAddon; reason?: undefined } | { addon?: undefined; reason: string };

let availability: Availability | undefined;
/** Set by the conformance suite to run the same assertions on the fallback. */
let forcedOff = false;
let warned = false;

/**
 * Where the addon may be, first found wins: a local build (`npx mproc-build-native`, or the
 * monorepo's postinstall), then the prebuilt binary, as node-gyp-build prefers build/ to prebuilds/,
 * so that a binary built on purpose, or from an edited source, is the one used.
 */
function candidates(libc: string): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const platform = `${process.platform}-${process.arch}`;
  const found: string[] = [];
  // dist/x.js and src/shared/x.ts sit one and two levels below the package root.
  for (const root of [join(here, '..'), join(here, '..', '..')]) {
    found.push(
      join(root, 'native', 'build', ADDON_FILE),
      join(root, 'prebuilds', platform, `node.napi.${libc}.node`),
    );
  }
  return found;
}

function load(): Availability {
  if (process.env.MPROC_NO_NATIVE === '1') return { reason: 'MPROC_NO_NATIVE=1 is set' };
  if (process.platform !== 'linux') return { reason: unsupportedPlatformReason(process.platform) };
  const libc = linuxLibc();
  const paths = candidates(libc);
  const present = paths.filter((candidate) => existsSync(candidate));
  if (present.length === 0) {
    const marker = paths
      .filter((candidate) => candidate.endsWith(ADDON_FILE))
      .map((candidate) => join(dirname(candidate), NOT_BUILT_FILE))
      .find((file) => existsSync(file));
    const target = `${process.platform}-${process.arch}-${libc}`;
    return { reason: missingAddonReason(target, marker && readFileSync(marker, 'utf8').trim()) };
  }
  // A binary that does not load (a local build for another Node-API version, a wrong libc) gives
  // way to the next one; the first failure is the one reported.
  let firstFailure: string | undefined;
  for (const path of present) {
    try {
      return { addon: createRequire(import.meta.url)(path) as NativeAddon };
    } catch (error) {
      firstFailure ??= `the native addon ${path} cannot be loaded (${(error as Error).message}); ${BUILD_HINT}`;
    }
  }
  return { reason: firstFailure ?? 'no native addon could be loaded' };
}

/** The addon, or undefined when this process cannot load it (see `nativeUnavailableReason`). */
export function nativeAddon(): NativeAddon | undefined {
  availability ??= load();
  return availability.addon;
}

/**
 * The addon for making new shared objects: as `nativeAddon()`, except while the fallback is forced
 * for testing. Objects that arrive from other processes are always mapped the way they were made.
 */
export function nativeAddonForNewObjects(): NativeAddon | undefined {
  return forcedOff ? undefined : nativeAddon();
}

/** Why new shared objects do not use the addon; undefined when they do. */
export function nativeUnavailableReason(): string | undefined {
  if (forcedOff) return 'the fallback was forced (testing)';
  availability ??= load();
  return availability.reason;
}

/**
 * Marks the addon unusable after the fact, e.g. when the V8 sandbox refuses external array buffers
 * on the first allocation.
 */
export function disableNativeAddon(reason: string): void {
  availability = { reason };
}

/** Says once per process (or thread) that shared objects use the slow fallback, and why. */
export function warnFallbackOnce(): void {
  if (warned) return;
  warned = true;
  process.emitWarning(
    `mproc: shared Values, Arrays and locks on process start methods use the slow fallback ` +
      `(a file read and written at each access, locks over Unix sockets) because ${nativeUnavailableReason()}`,
    { code: 'MPROC_SHARED_MEMORY_FALLBACK' },
  );
}

/**
 * For the conformance suite: while on, new shared objects are made with the fallback, as when the
 * addon is unavailable (objects already made keep their kind).
 */
export function forceSharedMemoryFallback(on: boolean): void {
  forcedOff = on;
}
