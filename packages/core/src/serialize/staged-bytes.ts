/**
 * Large byte buffers cross a process channel through shared memory instead of the channel itself:
 * the sender writes the bytes once into a new memfd (`pwrite`, no mapping), sends a small descriptor
 * naming `/proc/<pid>/fd/<n>`, and the receiver maps that memfd and wraps it as its buffer, without a
 * copy. Node's IPC would copy 16 MiB four or five times (serialize, socket in and out, deserialize).
 *
 * The receiver's buffer is then an external ArrayBuffer over memory no other process writes (the
 * sender closes its descriptor once the receiver says it has mapped the memfd, and never wrote to it
 * after the copy): an equal, independent copy, as a clone is. Its memory is freed when that buffer
 * is garbage-collected (the addon's finalizer unmaps it), like any ArrayBuffer's. See
 * docs/shared-memory.md, "Large byte buffers across processes".
 */
import { Buffer } from 'node:buffer';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { nativeAddon, nativeAddonForNewObjects } from '../shared/native-addon.js';
import { TYPED_ARRAYS } from './typed-arrays.js';

/**
 * Buffers smaller than this cross as they always did. Measured on a Pipe round trip (fork and spawn):
 * staged and plain cost the same at 32 KiB, staging wins a little from 64–128 KiB and clearly from
 * 256 KiB (about 300 against 400–700 µs); each staged buffer costs a memfd, a few system calls on
 * each side and a message back, so the channel keeps what it does as well.
 */
export const STAGE_FROM = 256 * 1024;

/** The views Node's serializer rebuilds as their own kind, by the name a descriptor carries. */
const VIEW_TYPES = { Buffer, ...TYPED_ARRAYS, DataView } as const;

type ViewType = keyof typeof VIEW_TYPES;
export type StagedType = ViewType | 'ArrayBuffer';

const TYPE_OF_PROTOTYPE: ReadonlyMap<object, ViewType> = new Map(
  Object.entries(VIEW_TYPES).map(([name, type]) => [type.prototype, name as ViewType]),
);

/** A string key, as the reducers' (symbols do not survive structured clone). */
const STAGED = '__mproc_staged__';

/** What crosses the channel in place of a staged buffer. */
export interface StagedDescriptor {
  readonly [STAGED]: StagedType;
  /** A process holding the memfd open as descriptor `fd`, until the receiver acknowledges `loan`. */
  readonly pid: number;
  readonly fd: number;
  readonly byteLength: number;
  /** The sender's number for this crossing; the receiver sends it back once it has the bytes. */
  readonly loan: number;
}

interface StagingAddon {
  memfd(): number;
  open(path: string, byteLength: number): { buffer: ArrayBuffer; fd: number };
}

/** The addon, when it can make memfds for staged bytes (an older build may lack `memfd`). */
function stagingAddon(): StagingAddon | undefined {
  const addon = nativeAddonForNewObjects() as Partial<StagingAddon> | undefined;
  return typeof addon?.memfd === 'function' ? (addon as StagingAddon) : undefined;
}

/** Whether this process can stage bytes: the native addon is loaded and not switched off. */
export function canStage(): boolean {
  return stagingAddon() !== undefined;
}

/** The type a value would be staged as when large enough: a non-shared buffer or view of a known kind. */
export function bufferTypeOf(value: unknown): StagedType | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (value instanceof ArrayBuffer) return 'ArrayBuffer';
  const type = TYPE_OF_PROTOTYPE.get(Object.getPrototypeOf(value));
  return type !== undefined && (value as ArrayBufferView).buffer instanceof ArrayBuffer ? type : undefined;
}

/** The type a value is staged as, or undefined when it is not a large, non-shared buffer. */
export function stagedTypeOf(value: unknown): StagedType | undefined {
  const type = bufferTypeOf(value);
  return type !== undefined && (value as ArrayBuffer | ArrayBufferView).byteLength >= STAGE_FROM
    ? type
    : undefined;
}

/** Safety net: a staged copy dropped without `release()` (a pipe closed with it unread) closes its fd. */
const unreleased = new FinalizationRegistry<number>((fd) => closeQuietly(fd));

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed: nothing to release.
  }
}

/** Node's file calls take at most 2 GiB - 1 bytes at a time. */
const MAX_IO = 2 ** 31 - 1;

/** Bytes copied into a memfd of their own, waiting to be handed to one receiver. */
export class StagedBytes {
  readonly type: StagedType;
  readonly byteLength: number;
  #fd: number | undefined;

  private constructor(type: StagedType, byteLength: number, fd: number) {
    this.type = type;
    this.byteLength = byteLength;
    this.#fd = fd;
    unreleased.register(this, fd, this);
  }

  /**
   * A copy of `value`'s bytes in a new memfd, or undefined when this process cannot stage (no addon)
   * or the memory cannot be had: the caller then sends the value as it is.
   */
  static copy(value: ArrayBuffer | ArrayBufferView, type: StagedType): StagedBytes | undefined {
    const addon = stagingAddon();
    if (!addon) return undefined;
    const bytes = ArrayBuffer.isView(value)
      ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
      : new Uint8Array(value);
    let fd: number | undefined;
    try {
      fd = addon.memfd();
      // pwrite into the page cache: about twice as fast as faulting fresh mapped pages in one by one.
      for (let offset = 0; offset < bytes.length; ) {
        offset += writeSync(fd, bytes, offset, Math.min(MAX_IO, bytes.length - offset), offset);
      }
      return new StagedBytes(type, bytes.length, fd);
    } catch {
      if (fd !== undefined) closeQuietly(fd);
      return undefined;
    }
  }

  /** How a receiver reaches these bytes, as crossing number `loan`. */
  describe(loan: number): StagedDescriptor {
    if (this.#fd === undefined) throw new Error('staged bytes used after their release');
    return { [STAGED]: this.type, pid: process.pid, fd: this.#fd, byteLength: this.byteLength, loan };
  }

  /** The bytes as a value of their type in this process (mapped, not copied); releases this copy. */
  take(): unknown {
    const value = openStaged(this.describe(0));
    this.release();
    return value;
  }

  /** Closes the memfd: the memory lives on only in the mappings of those who took it. */
  release(): void {
    if (this.#fd === undefined) return;
    unreleased.unregister(this);
    closeQuietly(this.#fd);
    this.#fd = undefined;
  }
}

export function isStagedDescriptor(value: unknown): value is StagedDescriptor {
  return typeof value === 'object' && value !== null && STAGED in value;
}

/**
 * The value a descriptor names, mapped into this process (zero copy), or read into memory of its own
 * when this process has no addon.
 * @throws Error from the operating system when the memfd cannot be opened (its holder is gone).
 */
export function openStaged(descriptor: StagedDescriptor): unknown {
  const path = `/proc/${descriptor.pid}/fd/${descriptor.fd}`;
  const { byteLength } = descriptor;
  const addon = nativeAddon();
  const memory = addon ? addon.open(path, byteLength).buffer : readAll(path, byteLength);
  const type = descriptor[STAGED];
  if (type === 'ArrayBuffer') return memory;
  if (type === 'Buffer') return Buffer.from(memory, 0, byteLength);
  const View = VIEW_TYPES[type] as new (buffer: ArrayBuffer) => ArrayBufferView;
  return new View(memory);
}

function readAll(path: string, byteLength: number): ArrayBuffer {
  const target = Buffer.allocUnsafeSlow(byteLength);
  const fd = openSync(path, 'r');
  try {
    for (let offset = 0; offset < byteLength; ) {
      const read = readSync(fd, target, offset, Math.min(MAX_IO, byteLength - offset), offset);
      if (read === 0) throw new Error(`${path}: ${byteLength - offset} bytes missing`);
      offset += read;
    }
  } finally {
    closeSync(fd);
  }
  return target.buffer as ArrayBuffer;
}
