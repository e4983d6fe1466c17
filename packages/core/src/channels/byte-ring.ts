/**
 * A ring of length-prefixed messages in a shared memory region, written and read directly by every
 * worker that maps the region: the ground for Queues and Pipes that do not pass through the main
 * process. Layout (32-bit words, then the data):
 *
 *   0..1  the writers' lock: a WordMutex (so a holder that dies is taken over, see sync/word-mutex.ts)
 *   2     head: bytes consumed since the start, wrapping at 2^32 (moved by compare-and-swap)
 *   3     tail: bytes produced since the start, wrapping at 2^32 (written under the lock)
 *   4     "not empty": bumped after every write; consumers sleep on it
 *   5     "not full": bumped after a read that leaves the ring at most half full; producers sleep on it
 *   6     consumers asleep (or about to be) on word 4
 *   7     producers asleep (or about to be) on word 5
 *   8..15 free for the channel built on the ring
 *   64..  the data, `capacity` bytes, a power of two so that head and tail may wrap at 2^32
 *
 * A message is its length (4 bytes, little-endian) then its bytes, both possibly wrapping around the
 * end of the data. A write copies the bytes past the tail under the lock and publishes them with a
 * single store of the tail; a read, without the lock, copies a message out and consumes it with a
 * single compare-and-swap of the head (so readers and writers never wait for each other). So a worker
 * that dies at any point, lock held or not, leaves the ring consistent: a write that had not stored
 * its tail is not there (the message is lost, as a message not yet sent), and a read that had not
 * moved the head leaves the message for the next reader (nobody received it).
 *
 * Waits are a WordSignal's (word-signal.ts): bounded adaptive polling, then sleeps in slices.
 */
import type { SharedRegion } from '../shared/shared-memory.js';
import { WordMutex } from '../sync/word-mutex.js';
import { WordSignal } from './word-signal.js';

/** Bytes before the data: the header words, rounded to a cache line. */
export const RING_HEADER_BYTES = 64;
const HEAD = 2;
const TAIL = 3;
const NOT_EMPTY = 4;
const NOT_FULL = 5;
const SLEEPING_CONSUMERS = 6;
const SLEEPING_PRODUCERS = 7;
/** First header word left to the channel built on the ring. */
export const RING_FREE_WORD = 8;
const LENGTH_BYTES = 4;

/**
 * Where a read copies a message of `length` bytes whose first byte is `firstByte` (-1 for an empty
 * message): a buffer of exactly `length` bytes, or false to leave the message in the ring.
 */
export type ReadTarget<T extends Uint8Array = Uint8Array> = (firstByte: number, length: number) => T | false;

const ownCopy: ReadTarget = (_firstByte, length) => new Uint8Array(length);

/** The region size for a ring of at least `capacity` data bytes (rounded up to a power of two). */
export function ringRegionBytes(capacity: number): number {
  return RING_HEADER_BYTES + ringCapacity(capacity);
}

function ringCapacity(requested: number): number {
  if (!Number.isInteger(requested) || requested < 16 || requested > 2 ** 30) {
    throw new RangeError(`a ring's capacity must be an integer from 16 to 2^30 bytes, not ${requested}`);
  }
  return 2 ** Math.ceil(Math.log2(requested));
}

export class ByteRing {
  /** Data bytes; one message takes its length plus LENGTH_BYTES. */
  readonly capacity: number;
  /** The largest message that fits: bigger ones must travel another way (staged bytes). */
  readonly maxMessageBytes: number;
  readonly #words: Int32Array;
  readonly #data: Uint8Array;
  readonly #lock: WordMutex;
  /** Announced after every write: readers wait on it. */
  readonly readable: WordSignal;
  /** Announced after every read: writers wait on it. */
  readonly writable: WordSignal;
  readonly #mask: number;

  /**
   * The ring at the start of `region`, which must be a memory region of `ringRegionBytes(capacity)`
   * bytes (zero-filled for a new ring).
   * @throws TypeError for a region without live memory (the file fallback).
   */
  constructor(region: SharedRegion) {
    if (!region.memory || !region.waiter) throw new TypeError('a ByteRing needs a memory region');
    // The largest power of two that fits, so a region from ringRegionBytes(n) gives back its ring.
    this.capacity = 2 ** Math.floor(Math.log2(Math.max(1, region.byteLength - RING_HEADER_BYTES)));
    if (this.capacity < 16) throw new RangeError('the region is too small for a ring');
    this.maxMessageBytes = this.capacity - LENGTH_BYTES;
    this.#mask = this.capacity - 1;
    this.#words = new Int32Array(region.memory, 0, RING_HEADER_BYTES / 4);
    this.#data = new Uint8Array(region.memory, RING_HEADER_BYTES, this.capacity);
    this.#lock = new WordMutex(region, 0);
    this.readable = new WordSignal(this.#words, NOT_EMPTY, SLEEPING_CONSUMERS, region.waiter);
    this.writable = new WordSignal(this.#words, NOT_FULL, SLEEPING_PRODUCERS, region.waiter);
  }

  /** Header words from RING_FREE_WORD on, for the channel's own counters and flags. */
  get words(): Int32Array {
    return this.#words;
  }

  /** Bytes in the ring now, length prefixes included. */
  usedBytes(): number {
    return (Atomics.load(this.#words, TAIL) - Atomics.load(this.#words, HEAD)) >>> 0;
  }

  /**
   * Appends one message if there is room now; false when the ring is too full.
   * @throws RangeError when the message can never fit (longer than `maxMessageBytes`).
   */
  tryWrite(message: Uint8Array): boolean {
    if (message.byteLength > this.maxMessageBytes) {
      throw new RangeError(
        `a message of ${message.byteLength} bytes exceeds the ring's ${this.maxMessageBytes}`,
      );
    }
    this.#lock.acquireSync(true, undefined);
    let written = false;
    try {
      const words = this.#words;
      const head = Atomics.load(words, HEAD);
      const tail = Atomics.load(words, TAIL);
      const need = LENGTH_BYTES + message.byteLength;
      if (this.capacity - ((tail - head) >>> 0) >= need) {
        this.#setLengthAt(tail, message.byteLength);
        this.#copyIn(tail + LENGTH_BYTES, message);
        // The commit point: until this store the message is invisible.
        Atomics.store(words, TAIL, (tail + need) | 0);
        written = true;
      }
    } finally {
      this.#lock.releaseSync();
    }
    if (written) this.readable.notify();
    return written;
  }

  /** Takes the oldest message if there is one now, as bytes of its own. */
  tryRead(): Uint8Array | undefined;
  /**
   * Takes the oldest message if there is one now, into the buffer `target` gives for it; false, the
   * message left in place, when `target` refuses it (a channel's tag for a kind of message).
   */
  tryRead<T extends Uint8Array>(target: ReadTarget<T>): T | undefined | false;
  tryRead(target: ReadTarget = ownCopy): Uint8Array | undefined | false {
    const words = this.#words;
    // Readers take no lock (writers do, among themselves): a reader copies the message at the head,
    // then claims it with a compare-and-swap of the head. The bytes under a head that has not moved
    // are committed and no writer touches them; if another reader claimed them first (and a writer
    // may have reused them), the swap fails and this reader looks again.
    for (;;) {
      const head = Atomics.load(words, HEAD);
      const available = (Atomics.load(words, TAIL) - head) >>> 0;
      if (available === 0) return undefined;
      const length = this.#lengthAt(head);
      if (length > available - LENGTH_BYTES) {
        if (Atomics.load(words, HEAD) === head) throw new Error('corrupt ring: a message runs past the tail');
        continue;
      }
      const firstByte = length > 0 ? (this.#data[(head + LENGTH_BYTES) & this.#mask] as number) : -1;
      const message = target(firstByte, length);
      if (message === false) {
        if (Atomics.load(words, HEAD) === head) return false;
        continue;
      }
      this.#copyOut(head + LENGTH_BYTES, message);
      // The commit point: until this swap the message stays for the next reader.
      if (Atomics.compareExchange(words, HEAD, head, (head + LENGTH_BYTES + length) | 0) !== head) continue;
      // Writers waiting for room are woken once half the ring is free, not at every read: a writer
      // woken per message would write one message per wake-up (a thread hop each, across processes).
      if (this.usedBytes() <= this.capacity / 2) this.writable.notify();
      return message;
    }
  }

  /**
   * Takes the oldest message, waiting up to `timeout` ms for one (undefined: forever) without
   * blocking the event loop; undefined when none came in time.
   */
  read(timeout?: number): Promise<Uint8Array | undefined> {
    return this.readable.wait(() => this.tryRead(), timeout);
  }

  /** As `read`, blocking this thread while it waits. */
  readSync(timeout?: number): Uint8Array | undefined {
    return this.readable.waitSync(() => this.tryRead(), timeout);
  }

  /**
   * Appends one message, waiting up to `timeout` ms for room (undefined: forever) without blocking
   * the event loop; false when there was no room in time.
   * @throws RangeError when the message can never fit (longer than `maxMessageBytes`).
   */
  async write(message: Uint8Array, timeout?: number): Promise<boolean> {
    return (await this.writable.wait(() => (this.tryWrite(message) ? true : undefined), timeout)) === true;
  }

  /** As `write`, blocking this thread while it waits. */
  writeSync(message: Uint8Array, timeout?: number): boolean {
    return this.writable.waitSync(() => (this.tryWrite(message) ? true : undefined), timeout) === true;
  }

  /** Whether a message is waiting now (another reader may take it first). */
  hasMessage(): boolean {
    return Atomics.load(this.#words, HEAD) !== Atomics.load(this.#words, TAIL);
  }

  /** Writes a length prefix at `position` (little-endian, possibly wrapping). */
  #setLengthAt(position: number, length: number): void {
    const data = this.#data;
    const mask = this.#mask;
    data[position & mask] = length;
    data[(position + 1) & mask] = length >>> 8;
    data[(position + 2) & mask] = length >>> 16;
    data[(position + 3) & mask] = length >>> 24;
  }

  /** The length prefix at `position` (see `#setLengthAt`). */
  #lengthAt(position: number): number {
    const data = this.#data;
    const mask = this.#mask;
    return (
      ((data[position & mask] as number) |
        ((data[(position + 1) & mask] as number) << 8) |
        ((data[(position + 2) & mask] as number) << 16) |
        ((data[(position + 3) & mask] as number) << 24)) >>>
      0
    );
  }

  #copyIn(position: number, bytes: Uint8Array): void {
    const start = position & this.#mask;
    const first = Math.min(bytes.byteLength, this.capacity - start);
    this.#data.set(first === bytes.byteLength ? bytes : bytes.subarray(0, first), start);
    if (first < bytes.byteLength) this.#data.set(bytes.subarray(first), 0);
  }

  #copyOut(position: number, into: Uint8Array): void {
    const start = position & this.#mask;
    const first = Math.min(into.byteLength, this.capacity - start);
    into.set(this.#data.subarray(start, start + first), 0);
    if (first < into.byteLength) into.set(this.#data.subarray(0, into.byteLength - first), first);
  }
}
