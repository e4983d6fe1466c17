/**
 * The process kind of region without the native addon: a file read and written at offsets with
 * `fs.readSync`/`fs.writeSync` (about a microsecond per access instead of a few nanoseconds). It lives
 * in /dev/shm (memory) when there is one, else in the OS temp dir.
 *
 * On Linux the file is unlinked as soon as it is made: other processes open it as
 * `/proc/<pid>/fd/<n>` of a process that holds it, and the kernel frees it when the last descriptor
 * closes, so nothing is left behind even after a crash. Elsewhere the file keeps its name until the
 * process that made it exits or drops the object (a crash leaves the file behind).
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ProcessRegionDescriptor,
  type RegionDescriptor,
  releasedMessage,
  type SharedRegion,
} from './region.js';

const LINUX = process.platform === 'linux';

function directory(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

/** Names kept by this process (not Linux), removed when it exits. */
const keptNames = new Set<string>();
let cleanupInstalled = false;

function keepName(path: string): void {
  keptNames.add(path);
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once('exit', () => {
    for (const name of keptNames) {
      try {
        unlinkSync(name);
      } catch {}
    }
  });
}

/** Closes a region's descriptor (and removes its name, where it has one) once the region is collected. */
const release = new FinalizationRegistry<{ fd: number; path: string | null }>(({ fd, path }) => {
  try {
    closeSync(fd);
  } catch {}
  if (path) {
    keptNames.delete(path);
    try {
      unlinkSync(path);
    } catch {}
  }
});

export class FileRegion implements SharedRegion {
  readonly kind = 'file' as const;
  readonly id: string;
  readonly byteLength: number;
  readonly memory = undefined;
  readonly waiter = undefined;
  readonly #fd: number;
  /** The file's name where it keeps one (not Linux) and this process made it. */
  readonly #path: string | null;
  readonly #ino: number;

  private constructor(id: string, byteLength: number, fd: number, path: string | null, owner: boolean) {
    this.id = id;
    this.byteLength = byteLength;
    this.#fd = fd;
    this.#path = path;
    this.#ino = fstatSync(fd).ino;
    release.register(this, { fd, path: owner ? path : null });
  }

  get file(): FileRegion {
    return this;
  }

  static allocate(id: string, byteLength: number): FileRegion {
    const path = join(directory(), `mproc-${id}`);
    const fd = openSync(path, 'wx+', 0o600);
    try {
      writeSync(fd, Buffer.alloc(byteLength), 0, byteLength, 0);
    } catch (error) {
      closeSync(fd);
      unlinkSync(path);
      throw error;
    }
    if (LINUX) {
      unlinkSync(path);
      return new FileRegion(id, byteLength, fd, null, true);
    }
    keepName(path);
    return new FileRegion(id, byteLength, fd, path, true);
  }

  static open(descriptor: ProcessRegionDescriptor<'file'>): FileRegion {
    const source = descriptor.path ?? `/proc/${descriptor.pid}/fd/${descriptor.fd}`;
    const fd = openSync(source, 'r+');
    const region = new FileRegion(descriptor.id, descriptor.byteLength, fd, descriptor.path, false);
    // Closed when `region` is collected, as any region.
    if (region.#ino !== descriptor.ino) throw new Error(releasedMessage(descriptor));
    return region;
  }

  /** Fills `target` from the region at `offset`. */
  read(offset: number, target: Uint8Array): void {
    readSync(this.#fd, target, 0, target.byteLength, offset);
  }

  /** Writes `source` into the region at `offset`. */
  write(offset: number, source: Uint8Array): void {
    writeSync(this.#fd, source, 0, source.byteLength, offset);
  }

  descriptor(): RegionDescriptor {
    return {
      kind: 'file',
      id: this.id,
      byteLength: this.byteLength,
      pid: process.pid,
      fd: this.#fd,
      ino: this.#ino,
      path: this.#path,
    };
  }
}
