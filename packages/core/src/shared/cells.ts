/**
 * Typed elements inside a region: what a Value (one element) and an Array (many) read and write.
 * Memory regions are read through a typed array view, integers with `Atomics` so that a read never
 * sees half of another process's write; the file fallback reads and writes the element's bytes.
 */

import { MprocTypeError } from '../errors.js';
import type { FileRegion } from './file-region.js';
import type { SharedRegion } from './shared-memory.js';
import type { SharedTypedArray, TypecodeInfo } from './typecodes.js';

export interface Cells {
  readonly length: number;
  /** The element at `index`; the caller checks the bounds. */
  get(index: number): number | bigint;
  /** Stores an element already checked by `toElement`. */
  set(index: number, value: number | bigint): void;
  /** Elements `start` to `end` (exclusive) as a plain array. */
  slice(start: number, end: number): (number | bigint)[];
}

type FileBacked = SharedRegion & { readonly file: FileRegion };
type AtomicView = Exclude<SharedTypedArray, Float32Array | Float64Array>;

// Atomics' overloads take number and BigInt views apart; these accept either kind.
const atomicLoad = Atomics.load as (view: AtomicView, index: number) => number | bigint;
const atomicStore = Atomics.store as (view: AtomicView, index: number, value: number | bigint) => void;

class MemoryCells implements Cells {
  readonly length: number;
  readonly #view: SharedTypedArray;
  readonly #atomic: boolean;

  constructor(memory: ArrayBufferLike, byteOffset: number, info: TypecodeInfo, length: number) {
    this.length = length;
    this.#view = new info.ArrayType(memory, byteOffset, length);
    this.#atomic = info.integer;
  }

  get(index: number): number | bigint {
    return this.#atomic ? atomicLoad(this.#view as AtomicView, index) : this.#view[index];
  }

  set(index: number, value: number | bigint): void {
    if (this.#atomic) atomicStore(this.#view as AtomicView, index, value);
    else this.#view[index] = value as number;
  }

  slice(start: number, end: number): (number | bigint)[] {
    const items: (number | bigint)[] = [];
    for (let index = start; index < end; index++) items.push(this.get(index));
    return items;
  }
}

class FileCells implements Cells {
  readonly length: number;
  readonly #region: FileBacked;
  readonly #byteOffset: number;
  readonly #info: TypecodeInfo;
  /** One element, and its bytes, reused for every access. */
  readonly #element: SharedTypedArray;
  readonly #bytes: Uint8Array;

  constructor(region: SharedRegion, byteOffset: number, info: TypecodeInfo, length: number) {
    if (!region.file) throw new MprocTypeError('FileCells need a file region');
    this.length = length;
    this.#region = region as FileBacked;
    this.#byteOffset = byteOffset;
    this.#info = info;
    this.#element = new info.ArrayType(1);
    this.#bytes = new Uint8Array(this.#element.buffer);
  }

  get(index: number): number | bigint {
    this.#region.file.read(this.#byteOffset + index * this.#info.bytes, this.#bytes);
    return this.#element[0];
  }

  set(index: number, value: number | bigint): void {
    (this.#element as { [index: number]: number | bigint })[0] = value;
    this.#region.file.write(this.#byteOffset + index * this.#info.bytes, this.#bytes);
  }

  slice(start: number, end: number): (number | bigint)[] {
    if (end <= start) return [];
    const elements = new this.#info.ArrayType(end - start);
    this.#region.file.read(
      this.#byteOffset + start * this.#info.bytes,
      new Uint8Array(elements.buffer, 0, elements.byteLength),
    );
    return Array.from(elements as ArrayLike<number | bigint>);
  }
}

/** `length` elements of type `info` at `byteOffset` in `region`. */
export function cellsOf(region: SharedRegion, byteOffset: number, info: TypecodeInfo, length: number): Cells {
  return region.memory
    ? new MemoryCells(region.memory, byteOffset, info, length)
    : new FileCells(region, byteOffset, info, length);
}
