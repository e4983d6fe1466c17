/**
 * A mutex in one 32-bit word of shared memory (Drepper's three-state futex mutex, with the owner's id
 * in place of "locked"):
 *
 *   0                free
 *   owner            held by the thread `owner` (see owner.ts), nobody waiting
 *   owner | WAITERS  held, and someone may be waiting: release() must wake one
 *
 * The next word holds RLock's recursion depth, written only by the holder.
 *
 * Taking it is one compare-and-swap, all in JavaScript; only a contended acquire waits. `acquire()`
 * never blocks the event loop (Atomics.waitAsync on threads, a futex wait on a thread-pool thread
 * across processes); `acquireSync()` sleeps on the calling thread, as Python's acquire does. Waits
 * last at most SLICE_MS; after a slice in which nobody woke it, a waiter checks whether the owner
 * still lives, and takes the lock over with one more compare-and-swap if not.
 */

import { MprocRangeError, MprocTypeError } from '../errors.js';
import type { SharedRegion, WordWaiter } from '../shared/shared-memory.js';
import type { Mutex, MutexDescriptor } from './mutex-types.js';
import { isOwnerAlive, OWNER_MASK, ownerId } from './owner.js';

const WAITERS = 0x40000000;
/**
 * Polls of the word before a contended acquire goes to sleep. A holder on another core usually
 * releases within them, and a sleep costs tens of microseconds (a futex round trip across processes).
 */
const SPINS = 200;
/** The longest single wait; also how soon a dead owner is noticed. */
export const SLICE_MS = 50;

const TAKEN = Promise.resolve(true);
const NOT_TAKEN = Promise.resolve(false);
const DONE = Promise.resolve();

function deadlineOf(timeout: number | undefined): number {
  return timeout === undefined ? Number.POSITIVE_INFINITY : performance.now() + timeout;
}

export class WordMutex implements Mutex {
  readonly key: string;
  readonly #region: SharedRegion;
  readonly #byteOffset: number;
  readonly #word: Int32Array;
  readonly #waiter: WordWaiter;
  /** This thread's owner id: a mutex object never leaves the thread that made or revived it. */
  readonly #me = ownerId();

  constructor(region: SharedRegion, byteOffset: number) {
    if (!region.memory || !region.waiter) throw new MprocTypeError('a WordMutex needs a memory region');
    this.key = `${region.id}-${byteOffset}`;
    this.#region = region;
    this.#byteOffset = byteOffset;
    this.#word = new Int32Array(region.memory, byteOffset, 2);
    this.#waiter = region.waiter;
  }

  tryAcquire(): boolean {
    return Atomics.compareExchange(this.#word, 0, 0, this.#me) === 0;
  }

  // Plain accesses: only the holder reads or writes the depth, and taking and freeing the lock word
  // (atomic) orders them between holders.
  get depth(): number {
    return this.#word[1] as number;
  }

  set depth(depth: number) {
    this.#word[1] = depth;
  }

  acquire(block: boolean, timeout: number | undefined): Promise<boolean> {
    const early = this.#acquireWithoutSleep(block, timeout);
    return early === undefined ? this.#wait(deadlineOf(timeout)) : early ? TAKEN : NOT_TAKEN;
  }

  acquireSync(block: boolean, timeout: number | undefined): boolean {
    const early = this.#acquireWithoutSleep(block, timeout);
    if (early !== undefined) return early;
    const deadline = deadlineOf(timeout);
    for (;;) {
      const step = this.#nextSleep(deadline);
      if (typeof step === 'boolean') return step;
      const outcome = this.#waiter.waitSync(this.#word, 0, step.observed, step.milliseconds);
      if (outcome === 'timed-out' && this.#takeOverIfDead(step.observed, this.#me)) return true;
    }
  }

  /** The compare-and-swap, the non-blocking answer and the polls; undefined: go to sleep. */
  #acquireWithoutSleep(block: boolean, timeout: number | undefined): boolean | undefined {
    const me = this.#me;
    const word = this.#word;
    if (Atomics.compareExchange(word, 0, 0, me) === 0) return true;
    if (!block || timeout === 0) return this.#takeOverIfDead(Atomics.load(word, 0), me);
    for (let spin = 0; spin < SPINS; spin++) {
      if (Atomics.load(word, 0) === 0 && Atomics.compareExchange(word, 0, 0, me) === 0) return true;
    }
    return undefined;
  }

  async #wait(deadline: number): Promise<boolean> {
    for (;;) {
      const step = this.#nextSleep(deadline);
      if (typeof step === 'boolean') return step;
      const outcome = await this.#waiter.wait(this.#word, 0, step.observed, step.milliseconds);
      if (outcome === 'timed-out' && this.#takeOverIfDead(step.observed, this.#me)) return true;
    }
  }

  /**
   * One turn of a contended acquire: takes the mutex if it is free (true), gives up past the deadline
   * (false, unless the holder is dead), or marks it as waited for and says how long to sleep on which
   * observed word.
   */
  #nextSleep(deadline: number): boolean | { observed: number; milliseconds: number } {
    const me = this.#me;
    const word = this.#word;
    for (;;) {
      let current = Atomics.load(word, 0);
      if (current === 0) {
        // Others may still be asleep: keep WAITERS set so that our release wakes one of them.
        if (Atomics.compareExchange(word, 0, 0, me | WAITERS) === 0) return true;
        continue;
      }
      if ((current & WAITERS) === 0) {
        if (Atomics.compareExchange(word, 0, current, current | WAITERS) !== current) continue;
        current |= WAITERS;
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) return this.#takeOverIfDead(current, me);
      return { observed: current, milliseconds: Math.min(SLICE_MS, remaining) };
    }
  }

  /** Takes the mutex from a dead owner; false when the owner lives or the word has moved on. */
  #takeOverIfDead(observed: number, me: number): boolean {
    const owner = observed & OWNER_MASK;
    if (observed === 0 || owner === me || isOwnerAlive(owner)) return false;
    if (Atomics.compareExchange(this.#word, 0, observed, me | (observed & WAITERS)) !== observed)
      return false;
    process.emitWarning(
      `mproc: a lock's holder (thread or process ${owner}) died while holding it; it was taken over by ${me}. ` +
        'The data it guarded may be half-updated.',
      { code: 'MPROC_LOCK_OWNER_DIED' },
    );
    return true;
  }

  release(): Promise<void> {
    try {
      this.releaseSync();
    } catch (error) {
      return Promise.reject(error);
    }
    return DONE;
  }

  releaseSync(): void {
    const previous = Atomics.exchange(this.#word, 0, 0);
    if (previous === 0)
      throw new MprocRangeError('release() of a lock that is not held', 'ERR_MPROC_LOCK_NOT_HELD');
    if (previous & WAITERS) this.#waiter.wake(this.#word, 0, 1);
  }

  isMine(): boolean {
    return (Atomics.load(this.#word, 0) & OWNER_MASK) === this.#me;
  }

  isLocked(): Promise<boolean> {
    return Promise.resolve(Atomics.load(this.#word, 0) !== 0);
  }

  descriptor(): MutexDescriptor {
    return { kind: 'word', region: this.#region.descriptor(), byteOffset: this.#byteOffset };
  }
}
