import { describe, expect, it } from 'vitest';
import { parseMapArguments } from '../src/executor/map-arguments.js';
import { zipChunks, zipChunksAsync } from '../src/executor/zip.js';

describe('ProcessPoolExecutor.map arguments', () => {
  const what = 'map';

  it('takes a last plain, non-iterable object as the options', () => {
    const inputs = [[1], [2]];
    expect(parseMapArguments([...inputs, { timeout: 5, chunksize: 2 }], what)).toEqual({
      inputs,
      timeout: 5,
      chunksize: 2,
    });
    expect(parseMapArguments(inputs, what)).toEqual({ inputs, timeout: undefined, chunksize: 1 });
  });

  it('treats a last iterable object as an input, even a plain one', () => {
    const iterableObject = { *[Symbol.iterator]() {} };
    expect(parseMapArguments([[1], iterableObject], what).inputs).toEqual([[1], iterableObject]);
    const map = new Map([[1, 2]]);
    expect(parseMapArguments([map], what).inputs).toEqual([map]);
  });

  it('names what is wrong', () => {
    expect(() => parseMapArguments([], what)).toThrow(/at least one iterable/);
    expect(() => parseMapArguments([{}], what)).toThrow(/at least one iterable/);
    expect(() => parseMapArguments([[1], 5], what)).toThrow(/iterables\[1\]/);
    expect(() => parseMapArguments([[1], { chunk: 1 }], what)).toThrow(/unknown option 'chunk'/);
    expect(() => parseMapArguments([[1], { chunksize: 0 }], what)).toThrow(RangeError);
    expect(() => parseMapArguments([[1], { chunksize: 1.5 }], what)).toThrow(TypeError);
    expect(() => parseMapArguments([[1], { timeout: Number.NaN }], what)).toThrow(/timeout/);
  });
});

describe('zipChunks', () => {
  it('zips up to the shortest input, in chunks', () => {
    expect([...zipChunks([[1, 2, 3, 4, 5], 'abcd'], 3)]).toEqual([
      [
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ],
      [[4, 'd']],
    ]);
    expect([...zipChunks([[], [1]], 2)]).toEqual([]);
  });

  it('closes the inputs it stops reading', () => {
    let closed = false;
    function* endless() {
      try {
        for (let n = 0; ; n++) yield n;
      } finally {
        closed = true;
      }
    }
    expect([...zipChunks([endless(), [7, 8]], 1)]).toEqual([[[0, 7]], [[1, 8]]]);
    expect(closed).toBe(true);
  });

  it('reads async and sync inputs together', async () => {
    async function* letters() {
      yield 'x';
      yield 'y';
    }
    const chunks: unknown[] = [];
    for await (const chunk of zipChunksAsync([letters(), [1, 2, 3]], 5)) chunks.push(chunk);
    expect(chunks).toEqual([
      [
        ['x', 1],
        ['y', 2],
      ],
    ]);
  });
});
