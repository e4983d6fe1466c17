/** Python's `multiprocessing.RLock` on every start method. */
import { InvalidStateError } from '../errors.js';
import type { Reducer } from '../serialize/reducers.js';
import { type AcquireOptions, BLOCK_FOREVER, resolveAcquireOptions } from './acquire-options.js';
import type { Mutex } from './mutex.js';
import { MutexLock, mutexLockReducer } from './mutex-lock.js';

const TRUE = Promise.resolve(true);
const DONE = Promise.resolve();

/** Takes `mutex` when it is free, or one more level when this thread holds it; false: wait for it. */
function takeAtOnce(mutex: Mutex): boolean {
  // Free is the common case, so try to take it before asking whether this thread holds it.
  if (mutex.tryAcquire()) {
    mutex.depth = 1;
    return true;
  }
  if (mutex.isMine()) {
    mutex.depth += 1;
    return true;
  }
  return false;
}

/**
 * Lets go of one level of `mutex`; false when it was the last, and the mutex must be freed.
 * @throws InvalidStateError when this thread does not hold it.
 */
function releaseLevel(mutex: Mutex): boolean {
  if (!mutex.isMine()) throw new InvalidStateError('RLock.release(): the lock is not held by this thread');
  const depth = mutex.depth;
  if (depth <= 1) return false; // left at 1: only the holder reads it; the next holder sets it
  mutex.depth = depth - 1;
  return true;
}

/**
 * Python's `multiprocessing.RLock`, a lock that the thread holding it may acquire again; it
 * is free once released as many times as acquired. Only the holding thread may release it. Owners are
 * threads: two async functions of one thread share the ownership, as in Python.
 *
 * @example
 * ```ts
 * const lock = ctx.RLock();
 * await lock.acquire();
 * await lock.acquire(); // the holder may take it again
 * await lock.release();
 * await lock.release(); // free again
 * ```
 */
export class RLock extends MutexLock {
  /**
   * Acquires the lock, at once when this thread already holds it (counting one more level); else as
   * `Lock.acquire()`, including the takeover from a holder that died.
   * @throws TypeError / RangeError (as a rejection) for invalid options.
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    // No call for the usual acquire() without options: this path is most of a short locked section.
    let resolved = BLOCK_FOREVER;
    if (options !== undefined) {
      try {
        resolved = resolveAcquireOptions(options, 'RLock.acquire()');
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const mutex = this.mutex;
    if (takeAtOnce(mutex)) return TRUE;
    return mutex.acquire(resolved.block, resolved.timeout).then((taken) => {
      if (taken) mutex.depth = 1;
      return taken;
    });
  }

  /**
   * As `acquire()`, waiting on this thread (see `Lock.acquireSync()`).
   * @throws TypeError / RangeError for invalid options; InvalidStateError on the fallback.
   */
  acquireSync(options?: AcquireOptions): boolean {
    const resolved =
      options === undefined ? BLOCK_FOREVER : resolveAcquireOptions(options, 'RLock.acquireSync()');
    const mutex = this.mutex;
    if (takeAtOnce(mutex)) return true;
    const taken = mutex.acquireSync(resolved.block, resolved.timeout);
    if (taken) mutex.depth = 1;
    return taken;
  }

  /**
   * Releases one level; the last one frees the lock for other workers.
   * @throws InvalidStateError (as a rejection) when this thread does not hold the lock.
   */
  release(): Promise<void> {
    try {
      if (releaseLevel(this.mutex)) return DONE;
    } catch (error) {
      return Promise.reject(error);
    }
    return this.mutex.release();
  }

  /**
   * As `release()`, synchronously.
   * @throws InvalidStateError when this thread does not hold the lock, or on the fallback.
   */
  releaseSync(): void {
    if (!releaseLevel(this.mutex)) this.mutex.releaseSync();
  }

  /** The class's name, as `Object.prototype.toString()` shows it. */
  get [Symbol.toStringTag](): string {
    return 'RLock';
  }
}

/** Sends an RLock to a worker as its mutex's descriptor. */
export const rlockReducer: Reducer<RLock> = mutexLockReducer('mproc.RLock', RLock);
