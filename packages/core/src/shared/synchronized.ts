/**
 * What Value and Array have in common, as Python's `Synchronized` wrappers: where their elements sit
 * (a region and an offset) and the lock that guards them. A built-in lock (`lock: true`, the default)
 * is an RLock living in the first bytes of the elements' own region, so one mapping serves both.
 */
import type { ContextLike } from '../backend.js';
import { MprocTypeError, shown } from '../errors.js';
import { Lock, lockReducer } from '../sync/lock.js';
import { MUTEX_BYTES, mutexIn } from '../sync/mutex.js';
import { RLock, rlockReducer } from '../sync/rlock.js';
import {
  allocateRegion,
  memoryKindOf,
  openRegion,
  type RegionDescriptor,
  type SharedRegion,
} from './shared-memory.js';

/** A lock that guards a Value or an Array. */
export type SyncLock = Lock | RLock;

export interface SynchronizedOptions {
  /**
   * true (default): a new RLock guards the object, as in Python; false: no lock (`getLock()` throws);
   * a Lock or RLock: that lock guards it.
   */
  readonly lock?: boolean | SyncLock;
  /** The context whose workers share the object (default: the default context). */
  readonly context?: ContextLike;
}

export interface Layout {
  readonly region: SharedRegion;
  readonly byteOffset: number;
  readonly lock: SyncLock | undefined;
}

type LockDescriptor = { readonly recursive: boolean; readonly mutex: unknown };

export interface LayoutDescriptor {
  readonly region: RegionDescriptor;
  readonly byteOffset: number;
  readonly lock: LockDescriptor | null;
}

/**
 * Checks the options of `Value`/`Array` and makes the region for `byteLength` bytes of elements.
 * @throws TypeError for options that are not an object, or a `lock` that is not a boolean, Lock or RLock.
 */
export function allocateLayout(
  byteLength: number,
  options: SynchronizedOptions | undefined,
  what: string,
): Layout {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new MprocTypeError(`${what}: options must be an object like { lock }, got ${shown(options)}`);
  }
  const { lock = true, context } = options ?? {};
  if (typeof lock !== 'boolean' && !(lock instanceof Lock) && !(lock instanceof RLock)) {
    throw new MprocTypeError(`${what}: lock must be true, false, a Lock or an RLock, got ${shown(lock)}`);
  }
  const kind = memoryKindOf(context);
  if (lock === true) {
    const region = allocateRegion(MUTEX_BYTES + byteLength, kind);
    return { region, byteOffset: MUTEX_BYTES, lock: RLock.adopt(mutexIn(region, 0)) };
  }
  return { region: allocateRegion(byteLength, kind), byteOffset: 0, lock: lock === false ? undefined : lock };
}

export function describeLayout(layout: Layout): LayoutDescriptor {
  const { region, byteOffset, lock } = layout;
  let described: LockDescriptor | null = null;
  if (lock instanceof RLock) described = { recursive: true, mutex: rlockReducer.reduce(lock) };
  else if (lock instanceof Lock) described = { recursive: false, mutex: lockReducer.reduce(lock) };
  return { region: region.descriptor(), byteOffset, lock: described };
}

/**
 * The layout a descriptor names, mapped into this thread.
 * @throws InvalidStateError when the memory cannot be reached any more (see `openRegion`).
 */
export function openLayout(descriptor: LayoutDescriptor): Layout {
  const { lock } = descriptor;
  return {
    region: openRegion(descriptor.region),
    byteOffset: descriptor.byteOffset,
    lock: lock === null ? undefined : (lock.recursive ? rlockReducer : lockReducer).revive(lock.mutex),
  };
}
