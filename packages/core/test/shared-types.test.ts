/**
 * The types of shared Values and Arrays: the typecode decides the element type (BigInt for q/Q,
 * else number), never the literal of an initial value. `npm run typecheck` checks this file; each
 * case also runs.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  getContext,
  Array as PythonArray,
  SharedArray,
  type Typecode,
  type TypecodeFor,
  Value,
} from '../src/index.js';

describe('Value types', () => {
  it('a number typecode makes a Value<number> that takes any number', () => {
    const counter = new Value('i', 0);
    expectTypeOf(counter).toEqualTypeOf<Value<number>>();
    counter.value = 3;
    expect(counter.value === 3).toBe(true);

    const real = new Value('d');
    expectTypeOf(real).toEqualTypeOf<Value<number>>();
    expect(real.value).toBe(0);
  });

  it('q and Q make a Value<bigint>, from a BigInt or an integral number', () => {
    const big = new Value('q', 1n);
    expectTypeOf(big).toEqualTypeOf<Value<bigint>>();
    big.value = 5n;
    expect(big.value === 5n).toBe(true);

    const unsigned = new Value('Q');
    expectTypeOf(unsigned).toEqualTypeOf<Value<bigint>>();
    expect(unsigned.value).toBe(0n);

    const fromNumber = new Value('q', 2);
    expectTypeOf(fromNumber).toEqualTypeOf<Value<bigint>>();
    expect(fromNumber.value).toBe(2n);
  });

  it('an explicit element type, options and a typecode known only as Typecode', () => {
    const explicit = new Value<number>('i', 0);
    expectTypeOf(explicit).toEqualTypeOf<Value<number>>();
    expect(explicit.value).toBe(0);

    const bare = new Value('h', 7, { lock: false });
    expectTypeOf(bare).toEqualTypeOf<Value<number>>();
    expect(bare.value).toBe(7);

    const typecode = 'q' as Typecode;
    const either = new Value(typecode);
    expectTypeOf(either).toEqualTypeOf<Value<number | bigint>>();
    expect(either.value).toBe(0n);

    const unknown: unknown = bare;
    if (!(unknown instanceof Value)) throw new Error('not a Value');
    expectTypeOf(unknown).toEqualTypeOf<Value<number | bigint>>();
  });

  it('an initial value of the wrong type does not compile (and throws)', () => {
    // @ts-expect-error: 'i' holds numbers, not BigInts.
    expect(() => new Value('i', 1n)).toThrow(TypeError);
    // @ts-expect-error: a Value holds numbers or BigInts.
    expect(() => new Value('d', '1')).toThrow(TypeError);
    // @ts-expect-error: not a typecode.
    expect(() => new Value('x', 0)).toThrow(TypeError);
    // @ts-expect-error: an explicit element type must fit the typecode ('i' reads as number).
    expect(new Value<bigint>('i', 0).value).toBe(0);
  });
});

describe('Array types', () => {
  it('a number typecode makes a SharedArray<number>, from values or a size', () => {
    const samples = new SharedArray('d', [0.5, 1.5]);
    expectTypeOf(samples).toEqualTypeOf<SharedArray<number>>();
    samples[0] = 3;
    expect(samples[0] === 3).toBe(true);
    expectTypeOf(samples.slice()).toEqualTypeOf<number[]>();

    const zeros = new PythonArray('i', 10);
    expectTypeOf(zeros).toEqualTypeOf<SharedArray<number>>();
    expect(zeros.length).toBe(10);

    const explicit = new SharedArray<number>('f', [1], { lock: false });
    expectTypeOf(explicit).toEqualTypeOf<SharedArray<number>>();
    expect(explicit.at(-1)).toBe(1);
  });

  it('q and Q make a SharedArray<bigint>', () => {
    const big = new SharedArray('q', [1n, 2]);
    expectTypeOf(big).toEqualTypeOf<SharedArray<bigint>>();
    expect(big.slice()).toEqual([1n, 2n]);

    const unsigned = new PythonArray('Q', 2);
    expectTypeOf(unsigned).toEqualTypeOf<SharedArray<bigint>>();
    expect(unsigned[1]).toBe(0n);
  });

  it('values of the wrong type do not compile (and throw)', () => {
    // @ts-expect-error: 'i' holds numbers, not BigInts.
    expect(() => new SharedArray('i', [1n])).toThrow(TypeError);
    // @ts-expect-error: a SharedArray holds numbers or BigInts.
    expect(() => new SharedArray('d', ['1'])).toThrow(TypeError);
  });
});

describe('TypecodeFor', () => {
  it('names the typecodes of an element type', () => {
    expectTypeOf<TypecodeFor<bigint>>().toEqualTypeOf<'q' | 'Q'>();
    expectTypeOf<TypecodeFor<number>>().toEqualTypeOf<
      'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'f' | 'd'
    >();
    expectTypeOf<TypecodeFor<number | bigint>>().toEqualTypeOf<Typecode>();
    expect(new Value<bigint>('Q', 1).value).toBe(1n);
  });
});

describe("a context's Value and Array", () => {
  const context = getContext('fork');

  it('are typed by the typecode as the constructors are', () => {
    const counter = context.Value('i', 0);
    expectTypeOf(counter).toEqualTypeOf<Value<number>>();
    counter.value = 3;
    expect(counter.value === 3).toBe(true);

    const big = context.Value('q');
    expectTypeOf(big).toEqualTypeOf<Value<bigint>>();
    expect(big.value).toBe(0n);

    const samples = context.Array('d', [0.5, 1.5]);
    expectTypeOf(samples).toEqualTypeOf<SharedArray<number>>();
    expect(samples.slice()).toEqual([0.5, 1.5]);

    const bigs = context.Array('Q', [1n]);
    expectTypeOf(bigs).toEqualTypeOf<SharedArray<bigint>>();
    expect(bigs[0]).toBe(1n);

    const either = context.Array('i' as Typecode, [1]);
    expectTypeOf(either).toEqualTypeOf<SharedArray<number | bigint>>();
    expect(either[0]).toBe(1);

    // @ts-expect-error: 'i' holds numbers, not BigInts.
    expect(() => context.Value('i', 1n)).toThrow(TypeError);
  });
});
