/**
 * The non-recursive, owner-aware mutual exclusion that Lock, RLock and a Value's lock are built on,
 * in two implementations: a word in shared memory (threads, and processes with the native addon) and
 * a Unix socket name (processes without it). A mutex crosses to a worker as a descriptor.
 */
import { nativeAddonForNewObjects, warnFallbackOnce } from '../shared/native-addon.js';
import { allocateRegion, type MemoryKind, openRegion, type SharedRegion } from '../shared/shared-memory.js';
import type { Mutex, MutexDescriptor } from './mutex-types.js';
import { SocketMutex } from './socket-mutex.js';
import { WordMutex } from './word-mutex.js';

export type { Mutex, MutexDescriptor };

/** The bytes a word mutex takes in a region: its lock word and RLock's depth. */
export const MUTEX_BYTES = 8;

/** A mutex in `region` at `byteOffset` (which must leave MUTEX_BYTES free there). */
export function mutexIn(region: SharedRegion, byteOffset: number): Mutex {
  return region.memory ? new WordMutex(region, byteOffset) : new SocketMutex(`${region.id}-${byteOffset}`);
}

/** A new mutex for workers of `kind`. */
export function createMutex(kind: MemoryKind): Mutex {
  if (kind === 'process' && !nativeAddonForNewObjects()) {
    warnFallbackOnce();
    return new SocketMutex(crypto.randomUUID().replaceAll('-', ''));
  }
  return new WordMutex(allocateRegion(MUTEX_BYTES, kind), 0);
}

/**
 * The mutex a descriptor names.
 * @throws InvalidStateError when its memory cannot be reached any more (see `openRegion`).
 */
export function openMutex(descriptor: MutexDescriptor): Mutex {
  return descriptor.kind === 'socket'
    ? new SocketMutex(descriptor.name)
    : new WordMutex(openRegion(descriptor.region), descriptor.byteOffset);
}
