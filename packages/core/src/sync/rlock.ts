/**
 * `RLock`: Python's `multiprocessing.RLock`, a lock that the thread holding it may acquire again; it
 * is free once released as many times as acquired. Only the holding thread may release it. Owners are
 * threads: two async functions of one thread share the ownership, as in Python.
 */
import type { Context } from '../context.js';
import { InvalidStateError } from '../errors.js';
import type { Reducer } from '../serialize/reducers.js';
import { sharedObjectCreated } from '../shared/register.js';
import { memoryKindOf } from '../shared/shared-memory.js';
import { type AcquireOptions, hold, type ResolvedAcquire, resolveAcquireOptions } from './acquire-options.js';
import { createMutex, type Mutex, type MutexDescriptor, openMutex } from './mutex.js';

const TRUE = Promise.resolve(true);
const DONE = Promise.resolve();

let adopting: Mutex | undefined;
let mutexOf: (lock: RLock) => Mutex;

export class RLock {
  readonly #mutex: Mutex;

  static {
    mutexOf = (lock) => lock.#mutex;
  }

  /** A new unlocked re-entrant lock for the workers of `context` (default: the default context). */
  constructor(context?: Context) {
    sharedObjectCreated();
    this.#mutex = adopting ?? createMutex(memoryKindOf(context));
    adopting = undefined;
  }

  /** @internal An RLock over an existing mutex (a revived descriptor, or a Value's built-in lock). */
  static adopt(mutex: Mutex): RLock {
    adopting = mutex;
    return new RLock();
  }

  /**
   * Acquires the lock, at once when this thread already holds it (counting one more level); else as
   * `Lock.acquire()`, including the takeover from a holder that died.
   * @throws TypeError / RangeError (as a rejection) for invalid options.
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    let resolved: ResolvedAcquire;
    try {
      resolved = resolveAcquireOptions(options, 'RLock.acquire()');
    } catch (error) {
      return Promise.reject(error);
    }
    const mutex = this.#mutex;
    if (mutex.isMine()) {
      mutex.depth += 1;
      return TRUE;
    }
    if (mutex.tryAcquire()) {
      mutex.depth = 1;
      return TRUE;
    }
    return mutex.acquire(resolved.block, resolved.timeout).then((taken) => {
      if (taken) mutex.depth = 1;
      return taken;
    });
  }

  /**
   * Releases one level; the last one frees the lock for other workers.
   * @throws InvalidStateError (as a rejection) when this thread does not hold the lock.
   */
  release(): Promise<void> {
    const mutex = this.#mutex;
    if (!mutex.isMine()) {
      return Promise.reject(new InvalidStateError('RLock.release(): the lock is not held by this thread'));
    }
    const depth = mutex.depth - 1;
    if (depth > 0) {
      mutex.depth = depth;
      return DONE;
    }
    mutex.depth = 0;
    return mutex.release();
  }

  /**
   * Acquires the lock for an `await using held = await lock.hold()` block, which releases it.
   * @throws TimeoutError (as a rejection) when `block: false` or `timeout` kept it from being acquired.
   */
  hold(options?: AcquireOptions): Promise<AsyncDisposable> {
    return hold(this, options, 'RLock');
  }

  /** Whether some worker holds the lock now. */
  locked(): Promise<boolean> {
    return this.#mutex.isLocked();
  }

  get [Symbol.toStringTag](): string {
    return 'RLock';
  }
}

/** @internal The mutex under an RLock, for Condition's wait (which releases every level and retakes them). */
export function rlockMutex(lock: RLock): Mutex {
  return mutexOf(lock);
}

/** Sends an RLock to a worker as its mutex's descriptor. */
export const rlockReducer: Reducer<RLock> = {
  tag: 'mproc.RLock',
  type: RLock,
  reduce: (lock) => mutexOf(lock).descriptor(),
  revive: (data) => RLock.adopt(openMutex(data as MutexDescriptor)),
};
