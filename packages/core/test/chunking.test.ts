import { describe, expect, it } from 'vitest';
import { chunks, collect, defaultChunksize } from '../src/pool/chunking.js';

describe('chunking', () => {
  it("uses Python's default chunksize: ceil(n / (4 × processes))", () => {
    expect(defaultChunksize(200_000, 2)).toBe(25_000);
    expect(defaultChunksize(5, 4)).toBe(1);
    expect(defaultChunksize(17, 2)).toBe(3);
    expect(defaultChunksize(0, 2)).toBe(1);
  });

  it('splits items into chunks with their offsets', () => {
    expect([...chunks([1, 2, 3, 4, 5], 2)]).toEqual([
      { offset: 0, items: [1, 2] },
      { offset: 2, items: [3, 4] },
      { offset: 4, items: [5] },
    ]);
  });

  it('collects sync and async iterables', async () => {
    async function* letters() {
      yield 'a';
      yield 'b';
    }
    expect(await collect(letters())).toEqual(['a', 'b']);
    expect(await collect(new Set([1, 2]))).toEqual([1, 2]);
  });
});
