/**
 * The contract of a mutex (mutex.ts picks the implementation: word-mutex.ts or socket-mutex.ts),
 * types only, so the implementations need not import the module that chooses between them.
 */
import type { RegionDescriptor } from '../shared/region.js';

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
