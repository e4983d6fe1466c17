/**
 * A few 32-bit words shared by every worker, with the operations Semaphore and Event are built on:
 * an atomic update, wait until a word changes, wake its waiters. In memory regions (threads, native)
 * they are `Atomics` and futex waits; in the fallback's file region an update runs under a
 * Unix-socket mutex and a wait polls the file every POLL_MS.
 */
import type { FileRegion } from '../shared/file-region.js';
import type { SharedRegion, WaitOutcome } from '../shared/shared-memory.js';
import { SocketMutex } from './socket-mutex.js';

/** How often a fallback wait reads its word again. */
export const POLL_MS = 10;

export interface SharedWords {
  load(index: number): number;
  store(index: number, value: number): void;
  /**
   * Replaces word `index` by `next(current)` atomically, unless `next` returns undefined; gives the
   * value it saw. Synchronous in memory, a Promise on the fallback.
   */
  update(index: number, next: (current: number) => number | undefined): number | Promise<number>;
  /** Waits until woken (or, on the fallback, a poll), `milliseconds` pass, or the word is not `expected`. */
  wait(index: number, expected: number, milliseconds: number): Promise<WaitOutcome>;
  /** Wakes up to `count` waiters of word `index` (nothing to do on the fallback, which polls). */
  wake(index: number, count: number): void;
}

class MemoryWords implements SharedWords {
  readonly #words: Int32Array;
  readonly #region: SharedRegion;

  constructor(region: SharedRegion, byteOffset: number, count: number) {
    this.#region = region;
    this.#words = new Int32Array(region.memory as ArrayBuffer, byteOffset, count);
  }

  load(index: number): number {
    return Atomics.load(this.#words, index);
  }

  store(index: number, value: number): void {
    Atomics.store(this.#words, index, value);
  }

  update(index: number, next: (current: number) => number | undefined): number {
    for (;;) {
      const current = Atomics.load(this.#words, index);
      const replacement = next(current);
      if (replacement === undefined) return current;
      if (Atomics.compareExchange(this.#words, index, current, replacement) === current) return current;
    }
  }

  wait(index: number, expected: number, milliseconds: number): Promise<WaitOutcome> {
    return (this.#region.waiter as NonNullable<SharedRegion['waiter']>).wait(
      this.#words,
      index,
      expected,
      milliseconds,
    );
  }

  wake(index: number, count: number): void {
    this.#region.waiter?.wake(this.#words, index, count);
  }
}

class FileWords implements SharedWords {
  readonly #file: FileRegion;
  readonly #byteOffset: number;
  readonly #guard: SocketMutex;
  readonly #scratch = new Int32Array(1);
  readonly #bytes = new Uint8Array(this.#scratch.buffer);

  constructor(region: SharedRegion, byteOffset: number) {
    this.#file = region.file as FileRegion;
    this.#byteOffset = byteOffset;
    this.#guard = new SocketMutex(`${region.id}-${byteOffset}-guard`);
  }

  load(index: number): number {
    this.#file.read(this.#byteOffset + index * 4, this.#bytes);
    return this.#scratch[0];
  }

  store(index: number, value: number): void {
    this.#scratch[0] = value;
    this.#file.write(this.#byteOffset + index * 4, this.#bytes);
  }

  async update(index: number, next: (current: number) => number | undefined): Promise<number> {
    await this.#guard.acquire(true, undefined);
    try {
      const current = this.load(index);
      const replacement = next(current);
      if (replacement !== undefined) this.store(index, replacement);
      return current;
    } finally {
      await this.#guard.release();
    }
  }

  async wait(index: number, expected: number, milliseconds: number): Promise<WaitOutcome> {
    if (this.load(index) !== expected) return 'not-equal';
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, milliseconds)));
    return 'timed-out';
  }

  wake(): void {}
}

/** `count` words at `byteOffset` in `region`. */
export function wordsIn(region: SharedRegion, byteOffset: number, count: number): SharedWords {
  return region.memory ? new MemoryWords(region, byteOffset, count) : new FileWords(region, byteOffset);
}
