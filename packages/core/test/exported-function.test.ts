import { describe, expect, it } from 'vitest';
import { exportedFunction } from '../src/child/function-resolver.js';

function square(x: number): number {
  return x * x;
}

/** Another function of the same name: its source text differs. */
const other = {
  square(x: number): number {
    return x + x;
  },
}.square;

const source = Function.prototype.toString.call(square);

describe('exportedFunction', () => {
  it('finds a named export whose source text matches', () => {
    expect(exportedFunction({ square }, 'square', source)).toBe(square);
  });

  it('finds it on a CommonJS module’s exports object (the namespace’s default)', () => {
    expect(exportedFunction({ default: { square } }, 'square', source)).toBe(square);
  });

  it('never takes a same-named function of other source text', () => {
    expect(exportedFunction({ square: other }, 'square', source)).toBeUndefined();
    expect(exportedFunction({ default: { square: other } }, 'square', source)).toBeUndefined();
  });

  it('gives nothing for a missing name or a value that is not a function', () => {
    expect(exportedFunction({}, 'square', source)).toBeUndefined();
    expect(exportedFunction({ square: 4 }, 'square', source)).toBeUndefined();
    expect(exportedFunction({ default: 'text' }, 'square', source)).toBeUndefined();
  });
});
