import { MprocTypeError, shown } from '../errors.js';
/**
 * Python's `array`/`ctypes` typecodes for shared Values and Arrays, and the typed array each one is
 * stored as. As in Python, storing a number outside a type's range wraps (`b`: 128 reads back as
 * -128), `f` rounds to single precision, and `q`/`Q` hold 64-bit integers (here as BigInt).
 */

export type BigIntTypecode = 'q' | 'Q';
/** A typecode whose elements are numbers (`q` and `Q` hold BigInts). */
export type NumberTypecode = 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'f' | 'd';
/** A typecode accepted by `Value` and `Array`. */
export type Typecode = NumberTypecode | BigIntTypecode;

/** The JavaScript type a typecode's elements read as: BigInt for `q`/`Q`, else number. */
export type TypecodeValue<C extends Typecode> = C extends BigIntTypecode ? bigint : number;

/**
 * The typecodes whose elements read as `V` (`TypecodeValue` the other way): `q`/`Q` for bigint, the
 * others for number, all of them for `number | bigint`.
 */
export type TypecodeFor<V extends number | bigint> = {
  [C in Typecode]: TypecodeValue<C> extends V ? C : never;
}[Typecode];

export type SharedTypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

export interface TypedArrayConstructorOf {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): SharedTypedArray;
  new (length: number): SharedTypedArray;
  readonly BYTES_PER_ELEMENT: number;
}

export interface TypecodeInfo {
  readonly typecode: Typecode;
  readonly ArrayType: TypedArrayConstructorOf;
  readonly bytes: number;
  /** Elements are BigInts (`q`, `Q`). */
  readonly bigint: boolean;
  /** Integer elements: read and written with `Atomics`, so a read never sees half a write. */
  readonly integer: boolean;
}

function info(typecode: Typecode, ArrayType: TypedArrayConstructorOf, integer = true): TypecodeInfo {
  return Object.freeze({
    typecode,
    ArrayType,
    bytes: ArrayType.BYTES_PER_ELEMENT,
    bigint: typecode === 'q' || typecode === 'Q',
    integer,
  });
}

/** `l`/`L` are 32-bit, as C's `long` on the platforms Python's docs describe as the common case. */
const TYPECODES: ReadonlyMap<string, TypecodeInfo> = new Map(
  [
    info('b', Int8Array),
    info('B', Uint8Array),
    info('h', Int16Array),
    info('H', Uint16Array),
    info('i', Int32Array),
    info('I', Uint32Array),
    info('l', Int32Array),
    info('L', Uint32Array),
    info('q', BigInt64Array),
    info('Q', BigUint64Array),
    info('f', Float32Array, false),
    info('d', Float64Array, false),
  ].map((entry) => [entry.typecode, entry]),
);

/**
 * What a typecode stores.
 * @throws TypeError for a typecode that is not one of `b B h H i I l L q Q f d`.
 */
export function typecodeInfo(typecode: unknown): TypecodeInfo {
  const found = typeof typecode === 'string' ? TYPECODES.get(typecode) : undefined;
  if (!found) {
    throw new MprocTypeError(
      `unknown typecode ${JSON.stringify(typecode) ?? String(typecode)}: use one of ${[...TYPECODES.keys()].join(' ')}`,
    );
  }
  return found;
}

/**
 * Checks a value to store and converts it to what the typecode's typed array accepts: integral
 * numbers become BigInts for `q`/`Q` (Python accepts ints there).
 * @throws TypeError for a value of the wrong type: a non-number (a BigInt included) for a number
 *   typecode, or anything but a BigInt or an integral number for `q`/`Q`.
 */
export function toElement(info: TypecodeInfo, value: unknown): number | bigint {
  if (info.bigint) {
    if (typeof value === 'bigint') return value;
    if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
    throw new MprocTypeError(`typecode '${info.typecode}' stores integers (BigInt), got ${shown(value)}`);
  }
  if (typeof value !== 'number') {
    const shown = typeof value === 'bigint' ? `the BigInt ${value}n` : `a ${typeof value}`;
    throw new MprocTypeError(`typecode '${info.typecode}' stores numbers, got ${shown}`);
  }
  return value;
}
