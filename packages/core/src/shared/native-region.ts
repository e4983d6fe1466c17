/**
 * The process kind of region with the native addon: a memfd mapped with MAP_SHARED and wrapped as an
 * external ArrayBuffer. `Atomics` operations on Int32Array views of it are atomic across processes
 * (V8 emits the same locked instructions as for a SharedArrayBuffer); waiting is a futex wait on a
 * libuv thread-pool thread, in slices, so the event loop never blocks (or, for `acquireSync()`, a
 * futex wait on the calling thread).
 *
 * Lifetime: each process (or thread) that maps the region holds its own descriptor to the memfd, and
 * the addon closes it and unmaps when the ArrayBuffer is collected. The memory is freed by the kernel
 * once no process maps it or holds a descriptor; a memfd has no name that could be left behind.
 */
import { fstatSync } from 'node:fs';
import { disableNativeAddon, type NativeAddon } from './native-addon.js';
import {
  type ProcessRegionDescriptor,
  type RegionDescriptor,
  type RegionFile,
  releasedMessage,
  type SharedRegion,
  type WaitOutcome,
  type WordWaiter,
} from './region.js';

const OUTCOMES: readonly WaitOutcome[] = ['ok', 'timed-out', 'not-equal'];

function futexWaiter(addon: NativeAddon): WordWaiter {
  return {
    async wait(words, index, expected, milliseconds) {
      const outcome = await addon.wait(
        words.buffer as ArrayBuffer,
        words.byteOffset + index * 4,
        expected,
        Math.max(0, Math.ceil(milliseconds)),
      );
      return OUTCOMES[outcome] ?? 'ok';
    },
    waitSync(words, index, expected, milliseconds) {
      const outcome = addon.waitSync(
        words.buffer as ArrayBuffer,
        words.byteOffset + index * 4,
        expected,
        Math.max(0, Math.ceil(milliseconds)),
      );
      return OUTCOMES[outcome] ?? 'ok';
    },
    wake(words, index, count) {
      addon.wake(words.buffer as ArrayBuffer, words.byteOffset + index * 4, count);
    },
  };
}

export class NativeRegion implements SharedRegion {
  readonly kind = 'native' as const;
  readonly id: string;
  readonly memory: ArrayBuffer;
  readonly waiter: WordWaiter;
  readonly file: RegionFile | undefined = undefined;
  /** This process's descriptor of the memfd, which other processes open through /proc. */
  readonly #fd: number;
  readonly #ino: number;

  private constructor(addon: NativeAddon, id: string, mapped: { buffer: ArrayBuffer; fd: number }) {
    this.id = id;
    this.memory = mapped.buffer;
    this.#fd = mapped.fd;
    this.#ino = fstatSync(mapped.fd).ino;
    this.waiter = futexWaiter(addon);
  }

  /**
   * A new memfd region, or undefined when this Node refuses external array buffers (V8 sandbox):
   * the addon is then disabled for the process and the caller falls back.
   */
  static allocate(addon: NativeAddon, id: string, byteLength: number): NativeRegion | undefined {
    try {
      return new NativeRegion(addon, id, addon.create(byteLength));
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_MPROC_SHM_EXTERNAL') throw error;
      disableNativeAddon((error as Error).message);
      return undefined;
    }
  }

  /** Maps the region another process holds, through its descriptor in /proc. */
  static open(addon: NativeAddon, descriptor: ProcessRegionDescriptor<'native'>): NativeRegion {
    const mapped = addon.open(`/proc/${descriptor.pid}/fd/${descriptor.fd}`, descriptor.byteLength);
    const region = new NativeRegion(addon, descriptor.id, mapped);
    // Unmapped when `region` is collected, as any region.
    if (region.#ino !== descriptor.ino) throw new Error(releasedMessage(descriptor));
    return region;
  }

  get byteLength(): number {
    return this.memory.byteLength;
  }

  descriptor(): RegionDescriptor {
    return {
      kind: 'native',
      id: this.id,
      byteLength: this.memory.byteLength,
      pid: process.pid,
      fd: this.#fd,
      ino: this.#ino,
      path: null,
    };
  }
}
