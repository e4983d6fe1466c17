/**
 * Python's `multiprocessing.Condition` on every start method. How it is made:
 *
 * Two words of shared memory, beside the lock's own:
 *
 *   SEQUENCE  bumped by every notify; waiters sleep on it (futex / Atomics.waitAsync, as Event does)
 *   COUNTS    sleepers (bits 0-15: waiters not notified yet) and tokens (bits 16-30: notifications
 *             not taken yet), in one word so that notify moves k sleepers to tokens atomically
 *
 * A waiter leaves by taking a token (notified) or, after its timeout, by taking back its sleeper (not
 * notified); when no sleeper is left at its timeout, a token was meant for it and it takes that. So
 * `notify(n)` lets exactly min(n, sleepers) waiters go, whichever wake first: not necessarily the
 * longest waiting, as Python's multiprocessing does not promise an order either.
 *
 * As in Python's multiprocessing, `notify()` returns only once its tokens are taken. It holds the lock
 * meanwhile, so no new waiter can register and steal a token from a waiter that was already asleep
 * (a waiter that loops on `wait()` would otherwise take the wake-up meant for another, and a
 * producer/consumer pair can then sleep forever). The last token's taker wakes the notifier.
 */
import type { ContextLike } from '../backend.js';
import { InvalidStateError, MprocRangeError, MprocTypeError, shown } from '../errors.js';
import { activateReducers, type Reducer } from '../serialize/reducers.js';
import {
  allocateRegion,
  memoryKindOf,
  openRegion,
  type RegionDescriptor,
  type SharedRegion,
} from '../shared/shared-memory.js';
import { checkTimeout } from '../timeout-option.js';
import { type AcquireOptions, hold } from './acquire-options.js';
import { Lock, lockReducer } from './lock.js';
import type { Mutex } from './mutex.js';
import { mutexOfLock } from './mutex-lock.js';
import { RLock, rlockReducer } from './rlock.js';
import { type SharedWords, wordsIn } from './shared-words.js';
import { SLICE_MS } from './word-mutex.js';

const SEQUENCE = 0;
const COUNTS = 1;
const WORDS = 2;
const SLEEPER = 1;
const TOKEN = 1 << 16;
const SLEEPERS = 0xffff;
/** Sleepers plus tokens stay below this, so COUNTS never reaches the sign bit. */
const MAX_WAITERS = 0x7fff;
/** futex's "wake everyone" */
const EVERYONE = 0x7fffffff;

/** The lock a Condition is built on. */
export type ConditionLock = Lock | RLock;

interface ConditionDescriptor {
  readonly region: RegionDescriptor;
  readonly recursive: boolean;
  readonly mutex: unknown;
}

let adopting: { region: SharedRegion; lock: ConditionLock } | undefined;
let describe: (condition: Condition) => ConditionDescriptor;

function deadlineOf(limit: number | undefined): number {
  return limit === undefined ? Number.POSITIVE_INFINITY : performance.now() + limit;
}

const sleepersOf = (counts: number) => counts & SLEEPERS;
const tokensOf = (counts: number) => counts >>> 16;
const takeToken = (counts: number) => (counts >= TOKEN ? counts - TOKEN : undefined);

/**
 * Python's `multiprocessing.Condition(lock=None)`, a lock (an RLock unless one is given)
 * plus waiting for a notification from another worker. `wait()` releases the lock, sleeps until
 * `notify()` picks it or the timeout passes, and takes the lock back before it resolves.
 *
 * @example
 * ```ts
 * const condition = ctx.Condition();
 * // a consumer, in a worker:
 * //   await condition.acquire();
 * //   while (ready.value !== 1) await condition.wait();
 * //   await condition.release();
 * // the producer:
 * await condition.acquire();
 * ready.value = 1;
 * await condition.notifyAll();
 * await condition.release();
 * ```
 */
export class Condition {
  readonly #region: SharedRegion;
  readonly #words: SharedWords;
  readonly #lock: ConditionLock;
  readonly #mutex: Mutex;

  static {
    describe = (condition) => {
      const lock = condition.#lock;
      return {
        region: condition.#region.descriptor(),
        recursive: lock instanceof RLock,
        mutex: lock instanceof RLock ? rlockReducer.reduce(lock) : lockReducer.reduce(lock),
      };
    };
  }

  /**
   * A condition over `lock` (default: a new RLock) for the workers of `context` (default: the default
   * context). `ctx.Condition(lock?)` is the same.
   * @throws TypeError when `lock` is neither a Lock nor an RLock.
   */
  constructor(lock?: ConditionLock | null, context?: ContextLike) {
    activateReducers();
    const adopted = adopting;
    adopting = undefined;
    if (adopted) {
      this.#region = adopted.region;
      this.#lock = adopted.lock;
    } else {
      if (lock !== undefined && lock !== null && !(lock instanceof Lock) && !(lock instanceof RLock)) {
        throw new MprocTypeError(`Condition(lock): lock must be a Lock or an RLock, got ${shown(lock)}`);
      }
      this.#lock = lock ?? new RLock(context);
      this.#region = allocateRegion(WORDS * 4, memoryKindOf(context));
    }
    this.#words = wordsIn(this.#region, 0, WORDS);
    this.#mutex = mutexOfLock(this.#lock);
  }

  /** @internal A Condition over an existing region and lock (a revived descriptor). */
  static adopt(region: SharedRegion, lock: ConditionLock): Condition {
    adopting = { region, lock };
    return new Condition();
  }

  /**
   * Acquires the underlying lock (see `Lock.acquire()` / `RLock.acquire()`).
   * @throws TypeError / RangeError (as a rejection) for invalid options.
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    return this.#lock.acquire(options);
  }

  /**
   * Releases the underlying lock.
   * @throws RangeError (Lock) / InvalidStateError (RLock), as a rejection, when it is not held.
   */
  release(): Promise<void> {
    return this.#lock.release();
  }

  /**
   * Acquires the lock for an `await using held = await condition.hold()` block, which releases it.
   * @throws TimeoutError (as a rejection) when `block: false` or `timeout` kept it from being acquired.
   */
  hold(options?: AcquireOptions): Promise<AsyncDisposable> {
    return hold(this, options, 'Condition');
  }

  /**
   * Releases the lock (every level of an RLock), waits until notified or `timeout` ms pass (undefined:
   * no limit), then takes the lock back as it was. Resolves true when notified, false on timeout.
   * @throws InvalidStateError (as a rejection) when this thread does not hold the lock (Python raises
   *   RuntimeError / AssertionError).
   * @throws TypeError / RangeError (as a rejection) for a timeout that is not a non-negative number.
   */
  async wait(timeout?: number | null): Promise<boolean> {
    const deadline = deadlineOf(checkTimeout(timeout, 'Condition.wait(timeout)'));
    const mutex = this.#mutex;
    if (!mutex.isMine()) throw new InvalidStateError('Condition.wait(): the lock is not held by this thread');
    const words = this.#words;
    const before = await words.update(COUNTS, (counts) =>
      sleepersOf(counts) + tokensOf(counts) >= MAX_WAITERS ? undefined : counts + SLEEPER,
    );
    if (sleepersOf(before) + tokensOf(before) >= MAX_WAITERS) {
      throw new MprocRangeError(`Condition.wait(): more than ${MAX_WAITERS} waiters`);
    }
    const depth = mutex.depth;
    mutex.depth = 0;
    await mutex.release();
    try {
      return await this.#sleep(deadline);
    } finally {
      if (!mutex.tryAcquire()) await mutex.acquire(true, undefined);
      mutex.depth = depth;
    }
  }

  /** Waits for a token until `deadline`; at the deadline leaves as a sleeper, or with a token if none is left. */
  async #sleep(deadline: number): Promise<boolean> {
    const words = this.#words;
    for (;;) {
      // Read the sequence before looking for a token: a notify in between changes it, so the wait
      // below returns at once instead of missing the wake-up.
      const sequence = words.load(SEQUENCE);
      const seen = await words.update(COUNTS, takeToken);
      if (seen >= TOKEN) {
        if (tokensOf(seen) === 1) words.wake(COUNTS, EVERYONE);
        return true;
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        const left = await words.update(COUNTS, (counts) =>
          sleepersOf(counts) > 0 ? counts - SLEEPER : counts - TOKEN,
        );
        if (sleepersOf(left) > 0) return false;
        if (tokensOf(left) === 1) words.wake(COUNTS, EVERYONE);
        return true;
      }
      await words.wait(SEQUENCE, sequence, Math.min(SLICE_MS, remaining));
    }
  }

  /**
   * Waits until `predicate()` (called in this worker, with the lock held; it may be async) returns a
   * truthy value, or `timeout` ms pass. Resolves the predicate's last result.
   * @throws InvalidStateError (as a rejection) when this thread does not hold the lock.
   * @throws TypeError / RangeError (as a rejection) for a predicate that is not a function or an
   *   invalid timeout.
   */
  async waitFor<T>(predicate: () => T | Promise<T>, timeout?: number | null): Promise<T> {
    if (typeof predicate !== 'function') {
      throw new MprocTypeError(
        `Condition.waitFor(predicate): predicate must be a function, got ${typeof predicate}`,
      );
    }
    const limit = checkTimeout(timeout, 'Condition.waitFor(predicate, timeout)');
    const deadline = deadlineOf(limit);
    let result = await predicate();
    while (!result) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      await this.wait(limit === undefined ? undefined : remaining);
      result = await predicate();
    }
    return result;
  }

  /**
   * Wakes up to `n` (default 1) waiters; each takes the lock back once this worker releases it.
   * Settles once the woken waiters have woken up (as Python's multiprocessing, which makes a waiter
   * that dies mid-wait hang its notifier too).
   * @throws InvalidStateError (as a rejection) when this thread does not hold the lock.
   * @throws RangeError (as a rejection) when `n` is not a non-negative integer (or Infinity).
   */
  async notify(n = 1): Promise<void> {
    if (!(n === Number.POSITIVE_INFINITY || (Number.isInteger(n) && n >= 0))) {
      throw new MprocRangeError(`Condition.notify(n): n must be a non-negative integer, got ${shown(n)}`);
    }
    if (!this.#mutex.isMine()) {
      throw new InvalidStateError('Condition.notify(): the lock is not held by this thread');
    }
    const words = this.#words;
    const seen = await words.update(COUNTS, (counts) => {
      const woken = Math.min(n, sleepersOf(counts));
      return woken === 0 ? undefined : counts + woken * (TOKEN - SLEEPER);
    });
    const woken = Math.min(n, sleepersOf(seen));
    if (woken === 0) return;
    await words.update(SEQUENCE, (sequence) => (sequence + 1) | 0);
    words.wake(SEQUENCE, woken);
    // Hold the lock until the woken waiters have taken their tokens (see the top of this file).
    for (;;) {
      const counts = words.load(COUNTS);
      if (tokensOf(counts) === 0) return;
      await words.wait(COUNTS, counts, SLICE_MS);
    }
  }

  /**
   * Wakes every waiter.
   * @throws InvalidStateError (as a rejection) when this thread does not hold the lock.
   */
  notifyAll(): Promise<void> {
    return this.notify(Number.POSITIVE_INFINITY);
  }

  /** The class's name, as `Object.prototype.toString()` shows it. */
  get [Symbol.toStringTag](): string {
    return 'Condition';
  }
}

/** Sends a Condition to a worker as its region and its lock's mutex. */
export const conditionReducer: Reducer<Condition> = {
  tag: 'mproc.Condition',
  type: Condition,
  reduce: (condition) => describe(condition),
  revive: (data) => {
    const { region, recursive, mutex } = data as ConditionDescriptor;
    const lock = recursive ? rlockReducer.revive(mutex) : lockReducer.revive(mutex);
    return Condition.adopt(openRegion(region), lock);
  },
};
