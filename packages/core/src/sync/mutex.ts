/**
 * The non-recursive, owner-aware mutual exclusion that Lock, RLock and a Value's lock are built on,
 * in two implementations: a word in shared memory (threads, and processes with the native addon) and
 * a Unix socket name (processes without it). A mutex crosses to a worker as a descriptor.
 */
import { nativeAddonForNewObjects, warnFallbackOnce } from '../shared/native-addon.js';
import {
  allocateRegion,
  type MemoryKind,
  openRegion,
  type RegionDescriptor,
  type SharedRegion,
} from '../shared/shared-memory.js';
import { SocketMutex } from './socket-mutex.js';
import { WordMutex } from './word-mutex.js';

export type MutexDescriptor =
  | { readonly kind: 'word'; readonly region: RegionDescriptor; readonly byteOffset: number }
  | { readonly kind: 'socket'; readonly name: string };

export interface Mutex {
  /** The same in every process for the same mutex; keys per-thread bookkeeping (RLock counts). */
  readonly key: string;
  /**
   * Takes the mutex: at once or not at all when `block` is false, else waiting up to `timeout` ms
   * (undefined: forever). Resolves whether it was taken. A holder found dead is taken over.
   */
  acquire(block: boolean, timeout: number | undefined): Promise<boolean>;
  /**
   * As `acquire`, waiting on this thread (blocking its event loop).
   * @throws InvalidStateError when this mutex cannot wait synchronously (the socket fallback).
   */
  acquireSync(block: boolean, timeout: number | undefined): boolean;
  /**
   * Frees the mutex, whoever holds it (as Python lets any process release a Lock).
   * @throws RangeError (as a rejection) when it is not held.
   */
  release(): Promise<void>;
  /**
   * As `release`, synchronously.
   * @throws RangeError when it is not held; InvalidStateError on the socket fallback.
   */
  releaseSync(): void;
  /**
   * Takes the mutex if it is free now, without waiting: the fast path of every acquire. undefined
   * when that cannot be known without waiting (the socket fallback).
   */
  tryAcquire(): boolean | undefined;
  /** True when this thread holds it. */
  isMine(): boolean;
  /** How many times the holder has taken it, kept for RLock by the holder alone (read only by the holder). */
  depth: number;
  /** True when some thread holds it. */
  isLocked(): Promise<boolean>;
  descriptor(): MutexDescriptor;
}

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
