/**
 * `Lock`: Python's `multiprocessing.Lock`, shared by every worker of its context and usable from any of
 * them. It is not re-entrant: acquiring it again from the thread that holds it waits (use `RLock`).
 * Any worker may release it, as in Python.
 */
import type { Context } from '../context.js';
import type { Reducer } from '../serialize/reducers.js';
import { sharedObjectCreated } from '../shared/register.js';
import { memoryKindOf } from '../shared/shared-memory.js';
import { type AcquireOptions, hold, type ResolvedAcquire, resolveAcquireOptions } from './acquire-options.js';
import { createMutex, type Mutex, type MutexDescriptor, openMutex } from './mutex.js';

const TAKEN = Promise.resolve(true);

let adopting: Mutex | undefined;
let mutexOf: (lock: Lock) => Mutex;

export class Lock {
  readonly #mutex: Mutex;

  static {
    mutexOf = (lock) => lock.#mutex;
  }

  /**
   * A new unlocked lock for the workers of `context` (default: the default context). `ctx.Lock()` is
   * the same.
   */
  constructor(context?: Context) {
    sharedObjectCreated();
    this.#mutex = adopting ?? createMutex(memoryKindOf(context));
    adopting = undefined;
  }

  /** @internal A Lock over an existing mutex (a revived descriptor, or a Value's built-in lock). */
  static adopt(mutex: Mutex): Lock {
    adopting = mutex;
    return new Lock();
  }

  /**
   * Acquires the lock: waits until it is free (with `timeout`, at most that many ms), or with
   * `block: false` takes it only if it is free now. Resolves true when acquired. A holder that died
   * holding it is noticed within about 50 ms of waiting and the lock taken over (Python would wait
   * forever), with a process warning `MPROC_LOCK_OWNER_DIED`.
   * @throws TypeError / RangeError (as a rejection) for invalid options.
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    // Not async: an async function returning the mutex's promise would cost two more ticks.
    let resolved: ResolvedAcquire;
    try {
      resolved = resolveAcquireOptions(options, 'Lock.acquire()');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#mutex.tryAcquire() ? TAKEN : this.#mutex.acquire(resolved.block, resolved.timeout);
  }

  /**
   * Releases the lock, whichever worker holds it; settles once every worker can take it.
   * @throws RangeError (as a rejection) when the lock is not held.
   */
  release(): Promise<void> {
    return this.#mutex.release();
  }

  /**
   * Acquires the lock for an `await using held = await lock.hold()` block, which releases it.
   * @throws TimeoutError (as a rejection) when `block: false` or `timeout` kept it from being acquired.
   */
  hold(options?: AcquireOptions): Promise<AsyncDisposable> {
    return hold(this, options, 'Lock');
  }

  /** Whether some worker holds the lock now. */
  locked(): Promise<boolean> {
    return this.#mutex.isLocked();
  }

  get [Symbol.toStringTag](): string {
    return 'Lock';
  }
}

/** @internal The mutex under a Lock, for Condition's wait (which releases and retakes it). */
export function lockMutex(lock: Lock): Mutex {
  return mutexOf(lock);
}

/** Sends a Lock to a worker as its mutex's descriptor. */
export const lockReducer: Reducer<Lock> = {
  tag: 'mproc.Lock',
  type: Lock,
  reduce: (lock) => mutexOf(lock).descriptor(),
  revive: (data) => Lock.adopt(openMutex(data as MutexDescriptor)),
};
