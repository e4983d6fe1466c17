/**
 * What `Lock` and `RLock` share: a mutex in shared memory, how one is made or rebuilt from a
 * descriptor, how it crosses to a worker, and `hold()` / `holdSync()` / `locked()`. They differ only in how they
 * acquire and release.
 */
import type { ContextLike } from '../backend.js';
import { activateReducers, type Reducer } from '../serialize/reducers.js';
import { memoryKindOf } from '../shared/shared-memory.js';
import { type AcquireOptions, hold, holdSync } from './acquire-options.js';
import { createMutex, type Mutex, type MutexDescriptor, openMutex } from './mutex.js';

/** Set by `adopt()` for the constructor it calls, so the public constructor keeps its one argument. */
let adopting: Mutex | undefined;
let mutexOf: (lock: MutexLock) => Mutex;

export abstract class MutexLock {
  /** A field, not a getter: one call less on every acquire and release, in code V8 has not optimized yet. */
  protected readonly mutex: Mutex;

  static {
    mutexOf = (lock) => lock.mutex;
  }

  /** A new unlocked lock for the workers of `context` (default: the default context). */
  constructor(context?: ContextLike) {
    activateReducers();
    this.mutex = adopting ?? createMutex(memoryKindOf(context));
    adopting = undefined;
  }

  /** @internal A lock over an existing mutex (a revived descriptor, or a Value's built-in lock). */
  static adopt<T extends MutexLock>(this: new (context?: ContextLike) => T, mutex: Mutex): T {
    adopting = mutex;
    return new this();
  }

  abstract acquire(options?: AcquireOptions): Promise<boolean>;
  abstract acquireSync(options?: AcquireOptions): boolean;
  abstract release(): Promise<void>;
  abstract releaseSync(): void;
  abstract get [Symbol.toStringTag](): string;

  /**
   * Acquires the lock for an `await using held = await lock.hold()` block, which releases it.
   * @throws TimeoutError (as a rejection) when `block: false` or `timeout` kept it from being acquired.
   */
  hold(options?: AcquireOptions): Promise<AsyncDisposable> {
    return hold(this, options, this[Symbol.toStringTag]);
  }

  /**
   * Acquires the lock on this thread (see `acquireSync()`) for a `using held = lock.holdSync()`
   * block, which releases it.
   * @throws TimeoutError when `block: false` or `timeout` kept it from being acquired;
   *   InvalidStateError on the fallback without the native addon.
   */
  holdSync(options?: AcquireOptions): Disposable {
    return holdSync(this, options, this[Symbol.toStringTag]);
  }

  /** Whether some worker holds the lock now. */
  locked(): Promise<boolean> {
    return this.mutex.isLocked();
  }
}

/** @internal The mutex under a lock, for Condition's wait (which releases and retakes it). */
export function mutexOfLock(lock: MutexLock): Mutex {
  return mutexOf(lock);
}

/** Sends a lock of class `type` to a worker as its mutex's descriptor. */
export function mutexLockReducer<T extends MutexLock>(
  tag: string,
  type: (new (context?: ContextLike) => T) & { adopt(mutex: Mutex): T },
): Reducer<T> {
  return {
    tag,
    type,
    reduce: (lock) => mutexOf(lock).descriptor(),
    revive: (data) => type.adopt(openMutex(data as MutexDescriptor)),
  };
}
