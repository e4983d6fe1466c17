/**
 * What a shared region is, for those that use one (Values, Arrays, locks) and those that implement
 * one (thread-region.ts, native-region.ts, file-region.ts): types only. shared-memory.ts picks the
 * implementation.
 */

/** How a process region is reached from another process. */
export interface ProcessRegionDescriptor<K extends 'native' | 'file' = 'native' | 'file'> {
  readonly kind: K;
  readonly id: string;
  readonly byteLength: number;
  /** A process that holds the region open as descriptor `fd`. */
  readonly pid: number;
  readonly fd: number;
  /**
   * The memory file's inode: once its holder closes `fd`, the number may name another file of that
   * process, so the opener checks what it opened.
   */
  readonly ino: number;
  /** The file's name where it is kept (platforms without /proc); null when unlinked. */
  readonly path: string | null;
}

/** Why a descriptor whose fd now names another file cannot be opened. */
export function releasedMessage(descriptor: ProcessRegionDescriptor): string {
  return `process ${descriptor.pid} has released it (its descriptor ${descriptor.fd} now names another file)`;
}

/** How a region is reached from another worker; structured-cloneable. */
export type RegionDescriptor =
  | { readonly kind: 'threads'; readonly id: string; readonly buffer: SharedArrayBuffer }
  | ProcessRegionDescriptor<'native'>
  | ProcessRegionDescriptor<'file'>;

export type WaitOutcome = 'ok' | 'timed-out' | 'not-equal';

/** Futex-like waiting on a 32-bit word of a region's memory. */
export interface WordWaiter {
  /** Waits until woken or `milliseconds` passed, unless the word no longer holds `expected`. */
  wait(words: Int32Array, index: number, expected: number, milliseconds: number): Promise<WaitOutcome>;
  /** As `wait`, blocking this thread: for the synchronous acquire of a lock. */
  waitSync(words: Int32Array, index: number, expected: number, milliseconds: number): WaitOutcome;
  /** Wakes up to `count` waiters on the word. */
  wake(words: Int32Array, index: number, count: number): void;
}

export interface SharedRegion {
  readonly kind: RegionDescriptor['kind'];
  /** The same in every process that maps the region. */
  readonly id: string;
  readonly byteLength: number;
  /** Live memory (threads, native); undefined for the file fallback, read through `file`. */
  readonly memory: ArrayBuffer | SharedArrayBuffer | undefined;
  /** Wait/wake on words of `memory`; undefined for the file fallback. */
  readonly waiter: WordWaiter | undefined;
  /** The file fallback's handle; undefined for memory regions. */
  readonly file: RegionFile | undefined;
  descriptor(): RegionDescriptor;
}

/** 'threads': the workers share this process's memory; 'process': they are processes of their own. */
export type MemoryKind = 'threads' | 'process';

/** The file fallback's access to a region's bytes, at offsets. */
export interface RegionFile {
  read(offset: number, target: Uint8Array): void;
  write(offset: number, source: Uint8Array): void;
}
