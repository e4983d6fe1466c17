/**
 * A ring of length-prefixed messages in a shared memory region, written and read directly by every
 * worker that maps the region: the ground for Queues and Pipes that do not pass through the main
 * process. Layout (32-bit words, then the data):
 *
 *   0..1  the lock: a WordMutex (so a holder that dies is taken over, see sync/word-mutex.ts)
 *   2     head: bytes consumed since the start, wrapping at 2^32 (written under the lock)
 *   3     tail: bytes produced since the start, wrapping at 2^32 (written under the lock)
 *   4     "not empty": bumped after every write; consumers sleep on it
 *   5     "not full": bumped after every read; producers sleep on it
 *   6     consumers asleep (or about to be) on word 4
 *   7     producers asleep (or about to be) on word 5
 *   8..15 free for the channel built on the ring
 *   64..  the data, `capacity` bytes, a power of two so that head and tail may wrap at 2^32
 *
 * A message is its length (4 bytes, little-endian) then its bytes, both possibly wrapping around the
 * end of the data. A write copies the bytes past the tail first and publishes them with a single
 * store of the tail; a read copies a message out and consumes it with a single store of the head.
 * So a worker that dies at any point, lock held or not, leaves the ring consistent: a write that had
 * not stored its tail is not there (the message is lost, as a message not yet sent), and a read
 * that had not stored its head leaves the message for the next reader (nobody received it).
 *
 * Waits poll first, for a time that adapts to how often polling paid off (a peer on another core
 * answers in microseconds; a futex sleep and wake costs tens), then sleep on a futex word in slices,
 * so an idle waiter costs no CPU.
 */
import type { SharedRegion, WordWaiter } from '../shared/shared-memory.js';
import { WordMutex } from '../sync/word-mutex.js';

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

/** The longest single sleep: a waiter looks at the ring again at least this often. */
const SLICE_MS = 50;
/** Bounds of the adaptive poll before a sleep, in microseconds. */
const MIN_POLL_US = 2;
const MAX_POLL_US = 200;

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
  readonly #waiter: WordWaiter;
  readonly #mask: number;
  readonly #length = new DataView(new ArrayBuffer(LENGTH_BYTES));
  readonly #lengthBytes = new Uint8Array(this.#length.buffer);
  /** This thread's current poll budget (µs) for each side, adapted after every wait. */
  #pollUs = { get: MIN_POLL_US * 8, put: MIN_POLL_US * 8 };

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
    this.#waiter = region.waiter;
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
        this.#length.setUint32(0, message.byteLength, true);
        this.#copyIn(tail, this.#lengthBytes);
        this.#copyIn(tail + LENGTH_BYTES, message);
        // The commit point: until this store the message is invisible.
        Atomics.store(words, TAIL, (tail + need) | 0);
        written = true;
      }
    } finally {
      this.#lock.releaseSync();
    }
    if (written) this.#signal(NOT_EMPTY, SLEEPING_CONSUMERS);
    return written;
  }

  /** Takes the oldest message if there is one now. */
  tryRead(): Uint8Array | undefined {
    const words = this.#words;
    // Unlocked peek: an empty ring is the common case of a waiting reader, and needs no lock.
    if (Atomics.load(words, HEAD) === Atomics.load(words, TAIL)) return undefined;
    this.#lock.acquireSync(true, undefined);
    let message: Uint8Array | undefined;
    try {
      const head = Atomics.load(words, HEAD);
      if (head !== Atomics.load(words, TAIL)) {
        this.#copyOut(head, this.#lengthBytes);
        const length = this.#length.getUint32(0, true);
        message = new Uint8Array(length);
        this.#copyOut(head + LENGTH_BYTES, message);
        // The commit point: until this store the message stays for the next reader.
        Atomics.store(words, HEAD, (head + LENGTH_BYTES + length) | 0);
      }
    } finally {
      this.#lock.releaseSync();
    }
    if (message) this.#signal(NOT_FULL, SLEEPING_PRODUCERS);
    return message;
  }

  /**
   * Takes the oldest message, waiting up to `timeout` ms for one (undefined: forever) without
   * blocking the event loop; undefined when none came in time.
   */
  async read(timeout?: number): Promise<Uint8Array | undefined> {
    return this.#waitFor(() => this.tryRead(), 'get', NOT_EMPTY, SLEEPING_CONSUMERS, timeout, false);
  }

  /** As `read`, blocking this thread while it waits. */
  readSync(timeout?: number): Uint8Array | undefined {
    return this.#waitFor(() => this.tryRead(), 'get', NOT_EMPTY, SLEEPING_CONSUMERS, timeout, true);
  }

  /**
   * Appends one message, waiting up to `timeout` ms for room (undefined: forever) without blocking
   * the event loop; false when there was no room in time.
   * @throws RangeError when the message can never fit (longer than `maxMessageBytes`).
   */
  async write(message: Uint8Array, timeout?: number): Promise<boolean> {
    const written = await this.#waitFor(
      () => (this.tryWrite(message) ? true : undefined),
      'put',
      NOT_FULL,
      SLEEPING_PRODUCERS,
      timeout,
      false,
    );
    return written === true;
  }

  /** As `write`, blocking this thread while it waits. */
  writeSync(message: Uint8Array, timeout?: number): boolean {
    const attempt = () => (this.tryWrite(message) ? true : undefined);
    return this.#waitFor(attempt, 'put', NOT_FULL, SLEEPING_PRODUCERS, timeout, true) === true;
  }

  /** Wakes everyone asleep on the ring, e.g. after the channel's closed flag was set. */
  wakeAll(): void {
    Atomics.add(this.#words, NOT_EMPTY, 1);
    Atomics.add(this.#words, NOT_FULL, 1);
    this.#waiter.wake(this.#words, NOT_EMPTY, 2 ** 31 - 1);
    this.#waiter.wake(this.#words, NOT_FULL, 2 ** 31 - 1);
  }

  #signal(word: number, sleepers: number): void {
    Atomics.add(this.#words, word, 1);
    if (Atomics.load(this.#words, sleepers) > 0) this.#waiter.wake(this.#words, word, 1);
  }

  /**
   * The wait shared by reads and writes: try, poll for the side's adaptive budget, then sleep on
   * `word` in slices, registered in `sleepers` so that the other side wakes us.
   */
  #waitFor<T>(
    attempt: () => T | undefined,
    side: 'get' | 'put',
    word: number,
    sleepers: number,
    timeout: number | undefined,
    sync: true,
  ): T | undefined;
  #waitFor<T>(
    attempt: () => T | undefined,
    side: 'get' | 'put',
    word: number,
    sleepers: number,
    timeout: number | undefined,
    sync: false,
  ): Promise<T | undefined>;
  #waitFor<T>(
    attempt: () => T | undefined,
    side: 'get' | 'put',
    word: number,
    sleepers: number,
    timeout: number | undefined,
    sync: boolean,
  ): T | undefined | Promise<T | undefined> {
    const first = attempt();
    if (first !== undefined || timeout === 0) return first;
    const started = performance.now();
    const deadline = timeout === undefined ? Number.POSITIVE_INFINITY : started + timeout;
    const budget = this.#pollUs[side];
    const pollEnd = started + budget / 1000;
    while (performance.now() < pollEnd) {
      const polled = attempt();
      if (polled !== undefined) {
        // Polling paid off: keep the budget near what it took, with headroom.
        this.#pollUs[side] = Math.min(
          MAX_POLL_US,
          Math.max(MIN_POLL_US, (performance.now() - started) * 2000),
        );
        return polled;
      }
    }
    // Polling did not pay off: poll less next time, so an idle waiter does not burn CPU each wait.
    this.#pollUs[side] = Math.max(MIN_POLL_US, budget / 2);
    return sync
      ? this.#sleepSync(attempt, word, sleepers, deadline)
      : this.#sleep(attempt, word, sleepers, deadline);
  }

  #sleepSync<T>(
    attempt: () => T | undefined,
    word: number,
    sleepers: number,
    deadline: number,
  ): T | undefined {
    for (;;) {
      const step = this.#nextSleep(attempt, word, sleepers, deadline);
      if (!('observed' in step)) return step.result;
      try {
        this.#waiter.waitSync(this.#words, word, step.observed, step.milliseconds);
      } finally {
        Atomics.sub(this.#words, sleepers, 1);
      }
    }
  }

  async #sleep<T>(
    attempt: () => T | undefined,
    word: number,
    sleepers: number,
    deadline: number,
  ): Promise<T | undefined> {
    for (;;) {
      const step = this.#nextSleep(attempt, word, sleepers, deadline);
      if (!('observed' in step)) return step.result;
      try {
        await this.#waiter.wait(this.#words, word, step.observed, step.milliseconds);
      } finally {
        Atomics.sub(this.#words, sleepers, 1);
      }
    }
  }

  /**
   * One turn of a sleeping wait: registers in `sleepers` and tries once more (a signal between the
   * failed attempt and the registration would otherwise be missed until the slice ends). Gives the
   * result, unregistered, when the attempt succeeded or time is up; else, still registered, the
   * value of `word` to sleep on and for how long.
   */
  #nextSleep<T>(
    attempt: () => T | undefined,
    word: number,
    sleepers: number,
    deadline: number,
  ): { result: T | undefined } | { observed: number; milliseconds: number } {
    const words = this.#words;
    const observed = Atomics.load(words, word);
    Atomics.add(words, sleepers, 1);
    const result = attempt();
    const remaining = deadline - performance.now();
    if (result === undefined && remaining > 0)
      return { observed, milliseconds: Math.min(SLICE_MS, remaining) };
    Atomics.sub(words, sleepers, 1);
    return { result };
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
