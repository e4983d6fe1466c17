/**
 * A region of memory shared by every worker of a context, the ground that Values, Arrays and locks
 * stand on. Which kind a new region is depends on the start method:
 *
 *   threads (no separate process)  SharedArrayBuffer; words wait with Atomics.waitAsync
 *   fork, spawn, cluster...        memfd mapped by the native addon; words wait with futex
 *     without the addon            a file (unlinked at once on Linux) read and written at offsets;
 *                                  locks over Unix sockets instead of words
 *
 * A region crosses to a worker as a descriptor (see `descriptor()`): the SharedArrayBuffer itself on
 * threads, or `/proc/<pid>/fd/<n>` of a process holding it open, which the receiver opens and maps.
 */
import { loadedBackend } from '../backend-registry.js';
import { InvalidStateError } from '../errors.js';
import { getStartMethod } from '../start-method.js';
import { FileRegion } from './file-region.js';
import { nativeAddon, nativeAddonForNewObjects, warnFallbackOnce } from './native-addon.js';
import { NativeRegion } from './native-region.js';
import type { MemoryKind, RegionDescriptor, SharedRegion } from './region.js';
import { ThreadRegion } from './thread-region.js';

export type {
  MemoryKind,
  ProcessRegionDescriptor,
  RegionDescriptor,
  SharedRegion,
  WaitOutcome,
  WordWaiter,
} from './region.js';

/**
 * The kind of memory a start method's workers can share: a backend that does not run workers as
 * processes of their own (`capabilities.separateProcess === false`, the built-in 'threads') gets a
 * SharedArrayBuffer; any other, including one not loaded yet, gets process-shared memory, which works
 * from threads too.
 */
export function memoryKindFor(startMethod: string): MemoryKind {
  const backend = loadedBackend(startMethod);
  if (backend) return backend.capabilities.separateProcess ? 'process' : 'threads';
  return startMethod === 'threads' ? 'threads' : 'process';
}

/** The memory kind for objects made by `context`, or by the default context when it is undefined. */
export function memoryKindOf(context: { getStartMethod(): string } | undefined): MemoryKind {
  return memoryKindFor(context ? context.getStartMethod() : getStartMethod());
}

/** Regions this thread has made or opened, by id, so one region is mapped once per thread. */
const known = new Map<string, WeakRef<SharedRegion>>();
const forget = new FinalizationRegistry<string>((id) => {
  if (known.get(id)?.deref() === undefined) known.delete(id);
});

function remember<R extends SharedRegion>(region: R): R {
  known.set(region.id, new WeakRef(region));
  forget.register(region, region.id);
  return region;
}

/** The rounding that keeps every typed array view of a region aligned. */
export const REGION_ALIGNMENT = 8;

/**
 * A new zero-filled region of at least `byteLength` bytes for workers of `kind`.
 * @throws Error from the operating system when the memory cannot be had (e.g. out of memory).
 */
export function allocateRegion(byteLength: number, kind: MemoryKind): SharedRegion {
  const size = Math.max(REGION_ALIGNMENT, Math.ceil(byteLength / REGION_ALIGNMENT) * REGION_ALIGNMENT);
  const id = crypto.randomUUID().replaceAll('-', '');
  if (kind === 'threads') return remember(ThreadRegion.allocate(id, size));
  const addon = nativeAddonForNewObjects();
  if (addon) {
    const region = NativeRegion.allocate(addon, id, size);
    if (region) return remember(region);
  }
  warnFallbackOnce();
  return remember(FileRegion.allocate(id, size));
}

/**
 * The region a descriptor names, mapped into this thread (or the one already mapped here).
 * @throws InvalidStateError when the region cannot be reached any more: the processes that held it
 *   have released it or exited, or this process cannot load the native addon that maps it.
 */
export function openRegion(descriptor: RegionDescriptor): SharedRegion {
  const existing = known.get(descriptor.id)?.deref();
  if (existing) return existing;
  try {
    switch (descriptor.kind) {
      case 'threads':
        return remember(ThreadRegion.adopt(descriptor.id, descriptor.buffer));
      case 'native': {
        const addon = nativeAddon();
        if (!addon) {
          throw new Error('this process cannot load the native addon that maps it');
        }
        return remember(NativeRegion.open(addon, descriptor));
      }
      case 'file':
        return remember(FileRegion.open(descriptor));
    }
  } catch (error) {
    const holder = descriptor.kind === 'threads' ? '' : ` from process ${descriptor.pid}`;
    throw new InvalidStateError(
      `cannot attach a shared Value, Array or lock${holder}: ${(error as Error).message}. A shared object ` +
        'crosses to a worker by naming a process that holds it: keep it referenced there until the worker has it.',
      { cause: error },
    );
  }
}
