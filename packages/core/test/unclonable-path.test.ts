import { describe, expect, it } from 'vitest';
import { findUnclonable } from '../src/serialize/unclonable-path.js';

describe('findUnclonable', () => {
  it('names the path and the kind of the first value that cannot be cloned', () => {
    expect(findUnclonable([{ cb: () => 1 }], 'args')).toBe('args[0].cb is a function');
    expect(findUnclonable({ list: [1, Symbol('s')] }, 'result')).toBe('result.list[1] is a symbol');
    expect(findUnclonable({ 'odd key': new WeakMap() }, 'args')).toBe(
      'args["odd key"] is a WeakMap, which cannot be cloned',
    );
    expect(findUnclonable(new Map([['k', () => 0]]), 'x')).toBe('x.k is a function');
  });

  it('returns null for values the structured-clone algorithm takes, cycles included', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(findUnclonable([cyclic, new Date(), new Uint8Array(4), 10n, new Set([1])], 'args')).toBeNull();
  });
});
