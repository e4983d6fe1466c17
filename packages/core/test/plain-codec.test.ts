import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeItem, encodeItem } from '../src/channels/item-codec.js';

const PLAIN_TAG = 3;
const LIMIT = 1 << 20;

function roundTrip(value: unknown): { value: unknown; tag: number } {
  const encoded = encodeItem(value, 'item', LIMIT);
  if (!('bytes' in encoded) || !(encoded.bytes instanceof Uint8Array)) throw new Error('sent as a parcel');
  const decoded = decodeItem(encoded.bytes);
  if (!('value' in decoded)) throw new Error('decoded as a parcel');
  return { value: decoded.value, tag: encoded.bytes[0] as number };
}

/** Strings with any UTF-16 code units, lone surrogates included. */
const anyString = fc.string({ unit: 'binary' });
const plain = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.double(),
    anyString,
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(fc.oneof(anyString, fc.constant('__proto__')), tie('value'), { maxKeys: 5 }),
})).value;

describe('item codec: plain values', () => {
  it('strings, plain objects and arrays come back as structured clone gives them, without V8', () => {
    fc.assert(
      fc.property(plain, (value) => {
        const { value: decoded, tag } = roundTrip(value);
        expect(decoded).toStrictEqual(structuredClone(value));
        if (typeof value !== 'number') expect(tag).toBe(PLAIN_TAG);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps -0, NaN, lone surrogates and an own __proto__ key', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}}') as object;
    const { value: decoded } = roundTrip({ zero: -0, nan: Number.NaN, text: 'a\uD800b', own: value });
    const record = decoded as { zero: number; nan: number; text: string; own: object };
    expect(Object.is(record.zero, -0)).toBe(true);
    expect(record.nan).toBeNaN();
    expect(record.text).toBe('a\uD800b');
    expect(Object.getPrototypeOf(record.own)).toBe(Object.prototype);
    expect(Object.keys(record.own)).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('writes keys the same the first time and from its cache of keys, long and non-ASCII ones included', () => {
    const record = { ['k'.repeat(100)]: 1, 'é\uD800': 2, plain: 3 };
    for (let round = 0; round < 2; round++) {
      const { value, tag } = roundTrip(record);
      expect(value).toStrictEqual(record);
      expect(tag).toBe(PLAIN_TAG);
    }
  });

  it('leaves to V8 what plain encoding cannot keep: shared references, holes, extra properties, other types', () => {
    const shared = { n: 1 };
    const holey = [1, 2, 3];
    delete holey[1];
    const extra = Object.assign([1, 2], { name: 'extra' });
    const cases: unknown[] = [
      { a: shared, b: shared },
      holey,
      extra,
      new Date(0),
      new Map([[1, 2]]),
      new Uint8Array([1, 2]),
      10n,
      Array.from({ length: 2000 }, (_, index) => index),
      new (class Point {
        x = 1;
      })(),
    ];
    for (const value of cases) {
      const { value: decoded, tag } = roundTrip(value);
      expect(tag).not.toBe(PLAIN_TAG);
      expect(decoded).toStrictEqual(structuredClone(value));
    }
    const { value: pair } = roundTrip({ a: shared, b: shared });
    const { a, b } = pair as { a: object; b: object };
    expect(a).toBe(b);
  });
});
