import { spawnSync } from 'node:child_process';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { getContext, InvalidStateError, Array as SharedArray, Value } from '../src/index.js';
import { FileRegion } from '../src/shared/file-region.js';
import { nativeAddon, warnFallbackOnce } from '../src/shared/native-addon.js';
import { NativeRegion } from '../src/shared/native-region.js';
import { allocateRegion, memoryKindFor, openRegion } from '../src/shared/shared-memory.js';
import { toElement, typecodeInfo } from '../src/shared/typecodes.js';
import { valueReducer } from '../src/shared/value.js';

const LINUX = process.platform === 'linux';

describe('typecodes', () => {
  it('maps every typecode to its typed array, and refuses others with a TypeError', () => {
    const sizes = Object.fromEntries([...'bBhHiIlLqQfd'].map((code) => [code, typecodeInfo(code).bytes]));
    expect(sizes).toEqual({ b: 1, B: 1, h: 2, H: 2, i: 4, I: 4, l: 4, L: 4, q: 8, Q: 8, f: 4, d: 8 });
    for (const bad of ['c', 'u', 'x', '', 'ii', 1, null, undefined]) {
      expect(() => typecodeInfo(bad)).toThrow(TypeError);
    }
  });

  it('checks stored values: numbers, or BigInts and integral numbers for q/Q', () => {
    expect(toElement(typecodeInfo('q'), 5)).toBe(5n);
    expect(toElement(typecodeInfo('Q'), 5n)).toBe(5n);
    expect(toElement(typecodeInfo('d'), 0.5)).toBe(0.5);
    expect(() => toElement(typecodeInfo('q'), 0.5)).toThrow(TypeError);
    expect(() => toElement(typecodeInfo('i'), 1n)).toThrow(TypeError);
    expect(() => toElement(typecodeInfo('i'), '1')).toThrow(TypeError);
  });
});

describe('regions', () => {
  it('threads get a SharedArrayBuffer, process start methods process-shared memory', () => {
    expect(memoryKindFor('threads')).toBe('threads');
    expect(memoryKindFor('fork')).toBe('process');
    expect(memoryKindFor('a-backend-not-loaded')).toBe('process');
    expect(allocateRegion(3, 'threads').memory).toBeInstanceOf(SharedArrayBuffer);
  });

  it.runIf(LINUX)('uses the native addon on Linux when it is built', () => {
    expect(nativeAddon()).toBeDefined();
    const region = allocateRegion(16, 'process');
    expect(region.kind).toBe('native');
    expect(region.byteLength).toBe(16);
  });

  it('a descriptor opened in the process that holds the region gives back the same region', () => {
    const region = allocateRegion(8, 'process');
    expect(openRegion(region.descriptor())).toBe(region);
  });

  it.runIf(LINUX)('a native region mapped twice shares its bytes (the path another process opens)', () => {
    const addon = nativeAddon();
    if (!addon) throw new Error('no addon');
    const first = allocateRegion(8, 'process');
    const descriptor = first.descriptor();
    if (descriptor.kind !== 'native') throw new Error('not native');
    const second = NativeRegion.open(addon, { ...descriptor, id: `${descriptor.id}-again` });
    new Int32Array(second.memory)[1] = 42;
    expect(new Int32Array(first.memory as ArrayBuffer)[1]).toBe(42);
  });

  it.runIf(LINUX)('a descriptor whose fd now names another file is refused, not mapped (fd reuse)', () => {
    for (const region of [allocateRegion(8, 'process'), FileRegion.allocate('unit-test-reused', 8)]) {
      const descriptor = region.descriptor();
      if (descriptor.kind === 'threads') throw new Error('not a process region');
      // The same fd, as if its holder had closed the region and opened another file under that number.
      const reused = { ...descriptor, id: `${descriptor.id}-reused`, ino: descriptor.ino + 1 };
      expect(() => openRegion(reused)).toThrow(InvalidStateError);
      expect(() => openRegion(reused)).toThrow(/released it .*names another file/);
    }
  });

  it('waitSync on a word: not-equal when it moved, timed-out after its time, on both memory kinds', () => {
    for (const kind of LINUX ? (['threads', 'process'] as const) : (['threads'] as const)) {
      const region = allocateRegion(8, kind);
      const words = new Int32Array(region.memory as ArrayBuffer, 0, 2);
      const waiter = region.waiter;
      if (!waiter) throw new Error(`no waiter for ${kind}`);
      Atomics.store(words, 0, 7);
      expect(waiter.waitSync(words, 0, 6, 1_000)).toBe('not-equal');
      const started = performance.now();
      expect(waiter.waitSync(words, 0, 7, 30)).toBe('timed-out');
      expect(performance.now() - started).toBeGreaterThanOrEqual(29);
    }
  });

  it('a file region reads and writes at offsets, and can be opened again by its descriptor', () => {
    const region = FileRegion.allocate('unit-test-region', 16);
    region.write(8, new Uint8Array([1, 2, 3]));
    const descriptor = region.descriptor();
    if (descriptor.kind !== 'file') throw new Error('not a file');
    const again = FileRegion.open(descriptor);
    const bytes = new Uint8Array(4);
    again.read(7, bytes);
    expect([...bytes]).toEqual([0, 1, 2, 3]);
  });

  it.runIf(LINUX)('the file fallback leaves no name behind on Linux', () => {
    const region = FileRegion.allocate('unit-test-unlinked', 8);
    expect(region.descriptor()).toMatchObject({ kind: 'file', path: null, pid: process.pid });
  });

  it('warns once that the fallback is in use, with the reason', async () => {
    const seen: (Error & { code?: string })[] = [];
    const listener = (warning: Error & { code?: string }) => seen.push(warning);
    process.on('warning', listener);
    try {
      warnFallbackOnce();
      warnFallbackOnce();
      await new Promise((resolve) => setImmediate(resolve));
      const fallback = seen.filter((warning) => warning.code === 'MPROC_SHARED_MEMORY_FALLBACK');
      expect(fallback).toHaveLength(1);
      expect(fallback[0].message).toMatch(/slow fallback .* because /);
    } finally {
      process.off('warning', listener);
    }
  });
});

describe('Value and Array in one process', () => {
  const context = getContext('fork');

  it('Value reads back what was stored, wrapped to its type', () => {
    const value = new Value('b', 127);
    value.value += 1;
    expect(value.value).toBe(-128);
    expect(String(value)).toBe("Value('b', -128)");
    expect(context.Value('q', 2).value).toBe(2n);
    expect(() => context.Value('i', 0, { lock: false }).getLock()).toThrow(InvalidStateError);
    expect(() => new Value('i', 0, 'nope' as never)).toThrow(TypeError);
  });

  it('Array indexes like Python: negative from the end, out of range throws RangeError', () => {
    const array = new SharedArray('h', [1, 2, 3]);
    expect(array[-1]).toBe(3);
    expect(array.at(-3)).toBe(1);
    expect(() => array[3]).toThrow(RangeError);
    expect(() => array.at(5)).toThrow(RangeError);
    expect(0 in array && 2 in array && !(3 in array)).toBe(true);
    array.set([7, 8], 1);
    expect([...array]).toEqual([1, 7, 8]);
    expect(() => array.set([1, 2], 2)).toThrow(RangeError);
    expect(array.slice(-2)).toEqual([7, 8]);
    expect(array.slice(1, -1)).toEqual([7]);
    expect(JSON.stringify(array)).toBe('[1,7,8]');
    expect(inspect(array)).toBe("Array('h', [1, 7, 8])");
    expect(array).toBeInstanceOf(SharedArray);
    expect(array.typecode).toBe('h');
    expect(() => new SharedArray('i', 1.5)).toThrow(RangeError);
    expect(() => new SharedArray('i', {} as never)).toThrow(TypeError);
  });

  it('a given lock guards the object; true makes an RLock', async () => {
    const lock = context.Lock();
    const array = context.Array('d', 2, { lock });
    expect(array.getLock()).toBe(lock);
    const value = context.Value('d', 1.5);
    const own = value.getLock();
    expect(await own.acquire()).toBe(true);
    expect(await own.acquire({ block: false })).toBe(true); // re-entrant
    await own.release();
    await own.release();
    expect(await own.locked()).toBe(false);
  });

  it('crosses as a descriptor naming its memory: the SharedArrayBuffer itself on threads', () => {
    const described = valueReducer.reduce(getContext('threads').Value('i', 1)) as {
      layout: { region: { kind: string; buffer: unknown } };
    };
    expect(described.layout.region.kind).toBe('threads');
    expect(described.layout.region.buffer).toBeInstanceOf(SharedArrayBuffer);
    const revived = valueReducer.revive(valueReducer.reduce(context.Value('i', 5)));
    expect(revived.value).toBe(5);
  });
});

describe('dead processes', () => {
  it('a pid whose process has exited is not alive', async () => {
    const { isOwnerAlive, ownerId } = await import('../src/sync/owner.js');
    const { pid } = spawnSync(process.execPath, ['-e', '0']);
    expect(isOwnerAlive(ownerId())).toBe(true);
    expect(isOwnerAlive(process.pid)).toBe(true);
    expect(isOwnerAlive(pid as number)).toBe(false);
  });
});
