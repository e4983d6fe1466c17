/**
 * The optional native part: `mproc_shm.node`, a small Node-API addon (native/mproc_shm.c) that maps
 * memfd memory into several processes and waits on its words with futex. It is compiled at install
 * time when a C compiler is present (scripts/build-native.mjs) or shipped prebuilt under
 * `prebuilds/<platform>-<arch>/`. Without it, process start methods use the slower fallback
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

/**
 * Why there is no addon binary, and the fix: the install script ran and could not build it
 * (`failure`, e.g. no C compiler), or it never ran (npm 11 runs install scripts only when allowed;
 * `--ignore-scripts` skips them).
 */
export function missingAddonReason(failure: string | undefined): string {
  if (failure) {
    return (
      `its install script could not build the native addon (${failure}): install a C compiler ` +
      '(Debian: build-essential) and run `npm rebuild @mproc/core`'
    );
  }
  return (
    "the native addon was never built: @mproc/core's install script did not run (npm 11 runs " +
    'install scripts only when allowed: `npm install-scripts approve @mproc/core`; `--ignore-scripts` ' +
    'skips them); run `npm rebuild @mproc/core` to build it'
  );
}

type Availability = { addon: NativeAddon; reason?: undefined } | { addon?: undefined; reason: string };

let availability: Availability | undefined;
/** Set by the conformance suite to run the same assertions on the fallback. */
let forcedOff = false;
let warned = false;

/** Where the addon may be, nearest first: a prebuilt binary, then a local build. */
function candidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const platform = `${process.platform}-${process.arch}`;
  const found: string[] = [];
  // dist/x.js and src/shared/x.ts sit one and two levels below the package root.
  for (const root of [join(here, '..'), join(here, '..', '..')]) {
    found.push(join(root, 'prebuilds', platform, ADDON_FILE), join(root, 'native', 'build', ADDON_FILE));
  }
  return found;
}

function load(): Availability {
  if (process.env.MPROC_NO_NATIVE === '1') return { reason: 'MPROC_NO_NATIVE=1 is set' };
  if (process.platform !== 'linux') {
    return { reason: `the native addon uses memfd and futex, which ${process.platform} does not have` };
  }
  const path = candidates().find((candidate) => existsSync(candidate));
  if (!path) {
    const marker = candidates()
      .map((candidate) => join(dirname(candidate), NOT_BUILT_FILE))
      .find((file) => existsSync(file));
    return { reason: missingAddonReason(marker && readFileSync(marker, 'utf8').trim()) };
  }
  try {
    return { addon: createRequire(import.meta.url)(path) as NativeAddon };
  } catch (error) {
    return { reason: `the native addon ${path} cannot be loaded: ${(error as Error).message}` };
  }
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
