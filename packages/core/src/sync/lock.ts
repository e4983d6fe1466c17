/** Python's `multiprocessing.Lock` on every start method. */
import type { Reducer } from '../serialize/reducers.js';
import { type AcquireOptions, BLOCK_FOREVER, resolveAcquireOptions } from './acquire-options.js';
import { MutexLock, mutexLockReducer } from './mutex-lock.js';

const TAKEN = Promise.resolve(true);

/**
 * Python's `multiprocessing.Lock`, shared by every worker of its context and usable from any of
 * them. It is not re-entrant: acquiring it again from the thread that holds it waits (use `RLock`).
 * Any worker may release it, as in Python.
 *
 * @example
 * ```ts
 * const lock = ctx.Lock();
 * await lock.acquire(); // or `if (await lock.acquire({ timeout: 1_000 }))`
 * try {
 *   // one worker at a time
 * } finally {
 *   await lock.release();
 * }
 * {
 *   using _ = lock.holdSync(); // Python's `with lock:`, synchronously
 * }
 * ```
 */
export class Lock extends MutexLock {
  /**
   * Acquires the lock: waits until it is free (with `timeout`, at most that many ms), or with
   * `block: false` takes it only if it is free now. Resolves true when acquired. A holder that died
   * holding it is noticed within about 50 ms of waiting and the lock taken over (Python would wait
   * forever), with a process warning `MPROC_LOCK_OWNER_DIED`.
   * @throws TypeError / RangeError (as a rejection) for invalid options.
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    // Not async: an async function returning the mutex's promise would cost two more ticks. No call
    // for the usual acquire() without options: this path is most of a short locked section.
    let resolved = BLOCK_FOREVER;
    if (options !== undefined) {
      try {
        resolved = resolveAcquireOptions(options, 'Lock.acquire()');
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.mutex.tryAcquire() ? TAKEN : this.mutex.acquire(resolved.block, resolved.timeout);
  }

  /**
   * As `acquire()`, but waiting on this thread, as Python's `acquire()` does: a free lock is taken
   * with one atomic operation, without a Promise. While it waits, this thread's event loop is blocked
   * (timers, messages, other async code): keep it to short sections guarded against other workers.
   * @throws TypeError / RangeError for invalid options; InvalidStateError on the fallback without
   *   the native addon, which cannot wait synchronously.
   */
  acquireSync(options?: AcquireOptions): boolean {
    const resolved =
      options === undefined ? BLOCK_FOREVER : resolveAcquireOptions(options, 'Lock.acquireSync()');
    return this.mutex.tryAcquire() || this.mutex.acquireSync(resolved.block, resolved.timeout);
  }

  /**
   * Releases the lock, whichever worker holds it; settles once every worker can take it.
   * @throws RangeError (as a rejection) when the lock is not held.
   */
  release(): Promise<void> {
    return this.mutex.release();
  }

  /**
   * As `release()`, synchronously.
   * @throws RangeError when the lock is not held; InvalidStateError on the fallback.
   */
  releaseSync(): void {
    this.mutex.releaseSync();
  }

  /** The class's name, as `Object.prototype.toString()` shows it. */
  get [Symbol.toStringTag](): string {
    return 'Lock';
  }
}

/** Sends a Lock to a worker as its mutex's descriptor. */
export const lockReducer: Reducer<Lock> = mutexLockReducer('mproc.Lock', Lock);
