import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { getContext, InvalidStateError, TimeoutError } from '../src/index.js';
import { allocateRegion, type MemoryKind } from '../src/shared/shared-memory.js';
import { resolveAcquireOptions } from '../src/sync/acquire-options.js';
import type { Mutex } from '../src/sync/mutex.js';
import { RLock } from '../src/sync/rlock.js';
import { SocketMutex } from '../src/sync/socket-mutex.js';
import { WordMutex } from '../src/sync/word-mutex.js';

/** The pid of a process that has already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

describe('acquire options', () => {
  it('default to blocking without a limit, and refuse bad values', () => {
    expect(resolveAcquireOptions(undefined, 'x')).toEqual({ block: true, timeout: undefined });
    expect(resolveAcquireOptions({ block: false }, 'x')).toEqual({ block: false, timeout: undefined });
    expect(resolveAcquireOptions({ timeout: 5 }, 'x')).toEqual({ block: true, timeout: 5 });
    expect(resolveAcquireOptions({ timeout: null }, 'x')).toEqual({ block: true, timeout: undefined });
    expect(() => resolveAcquireOptions({ timeout: -1 }, 'x')).toThrow(RangeError);
    expect(() => resolveAcquireOptions({ timeout: Number.NaN }, 'x')).toThrow(RangeError);
    expect(() => resolveAcquireOptions({ timeout: '1' as never }, 'x')).toThrow(TypeError);
    expect(() => resolveAcquireOptions({ block: 1 as never }, 'x')).toThrow(TypeError);
    expect(() => resolveAcquireOptions(5 as never, 'x')).toThrow(TypeError);
  });
});

/** What every Mutex does: taken when free, refused or timed out when held, free after release. */
async function expectMutexContract(lock: Mutex): Promise<void> {
  expect(await lock.acquire(true, undefined)).toBe(true);
  expect(lock.isMine()).toBe(true);
  expect(await lock.isLocked()).toBe(true);
  expect(await lock.acquire(false, undefined)).toBe(false);
  const started = performance.now();
  expect(await lock.acquire(true, 60)).toBe(false);
  expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  await lock.release();
  expect(await lock.isLocked()).toBe(false);
  await expect(lock.release()).rejects.toBeInstanceOf(RangeError);
}

const kinds: MemoryKind[] = ['threads', 'process'];

describe.each(kinds)('word mutex (%s memory)', (kind) => {
  function mutex() {
    return new WordMutex(allocateRegion(8, kind), 0);
  }

  it('is taken at once when free, refused or timed out when held, and free again after release', () =>
    expectMutexContract(mutex()));

  it('wakes a waiter of the same thread when released', async () => {
    const lock = mutex();
    await lock.acquire(true, undefined);
    const waiting = lock.acquire(true, 5_000);
    setTimeout(() => void lock.release(), 80);
    const started = performance.now();
    expect(await waiting).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('takes over from a holder that has died, at once without blocking and after a slice when waiting', async () => {
    const region = allocateRegion(8, kind);
    const lock = new WordMutex(region, 0);
    const word = new Int32Array(region.memory as ArrayBuffer, 0, 1);
    Atomics.store(word, 0, deadPid());
    expect(await lock.acquire(false, undefined)).toBe(true);
    expect(lock.isMine()).toBe(true);
    await lock.release();
    Atomics.store(word, 0, deadPid() | 0x40000000); // held, with waiters
    expect(await lock.acquire(true, 5_000)).toBe(true);
    await lock.release();
    expect(Atomics.load(word, 0)).toBe(0);
  });

  it('keeps RLock depth in its second word', async () => {
    const lock = mutex();
    await lock.acquire(true, undefined);
    lock.depth = 3;
    expect(lock.depth).toBe(3);
  });
});

describe('socket mutex (the fallback)', () => {
  let counter = 0;
  const mutex = () => new SocketMutex(`unit-${process.pid}-${++counter}`);

  it('is held by listening on a name: taken, refused, timed out, released', async () => {
    const lock = mutex();
    expect(lock.tryAcquire()).toBeUndefined();
    await expectMutexContract(lock);
  });

  it('a waiter learns of the release from its connection closing', async () => {
    const lock = mutex();
    await lock.acquire(true, undefined);
    const waiting = lock.acquire(true, 5_000);
    setTimeout(() => void lock.release(), 80);
    expect(await waiting).toBe(true);
    await lock.release();
  });

  it('keeps RLock depth for its holder', async () => {
    const lock = mutex();
    expect(lock.depth).toBe(0);
    await lock.acquire(true, undefined);
    lock.depth = 2;
    expect(lock.depth).toBe(2);
    await lock.release();
  });
});

describe('Lock and RLock', () => {
  const context = getContext('threads');

  it('hold() rejects with TimeoutError when it cannot acquire', async () => {
    const lock = context.Lock();
    await lock.acquire();
    await expect(lock.hold({ timeout: 10 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(lock.hold({ block: false })).rejects.toBeInstanceOf(TimeoutError);
    await lock.release();
    {
      await using _held = await lock.hold({ timeout: 10 });
      expect(await lock.locked()).toBe(true);
    }
    expect(await lock.locked()).toBe(false);
  });

  it('RLock counts its levels and refuses a release by a thread that does not hold it', async () => {
    const rlock = context.RLock();
    await expect(rlock.release()).rejects.toBeInstanceOf(InvalidStateError);
    await rlock.acquire();
    await rlock.acquire();
    await rlock.acquire();
    await rlock.release();
    await rlock.release();
    expect(await rlock.locked()).toBe(true);
    await rlock.release();
    expect(await rlock.locked()).toBe(false);
    await expect(rlock.acquire({ timeout: -5 })).rejects.toBeInstanceOf(RangeError);
    expect(Object.prototype.toString.call(rlock)).toBe('[object RLock]');
  });

  it.each(kinds)(
    'RLock counts from one each time it is taken, whatever depth the last holder reached (%s memory)',
    async (kind) => {
      const rlock = RLock.adopt(new WordMutex(allocateRegion(8, kind), 0));
      for (let level = 0; level < 3; level++) await rlock.acquire();
      for (let level = 0; level < 3; level++) await rlock.release();
      expect(await rlock.locked()).toBe(false);
      expect(await rlock.acquire({ timeout: 10 })).toBe(true);
      expect(await rlock.acquire({ block: false })).toBe(true);
      await rlock.release();
      expect(await rlock.locked()).toBe(true);
      await rlock.release();
      expect(await rlock.locked()).toBe(false);
    },
  );

  it.each(kinds)('RLock taken over from a dead holder at depth 5 is held once (%s memory)', async (kind) => {
    const region = allocateRegion(8, kind);
    const words = new Int32Array(region.memory as ArrayBuffer, 0, 2);
    Atomics.store(words, 0, deadPid());
    Atomics.store(words, 1, 5);
    const rlock = RLock.adopt(new WordMutex(region, 0));
    expect(await rlock.acquire({ block: false })).toBe(true);
    await rlock.release();
    expect(await rlock.locked()).toBe(false);
  });
});
