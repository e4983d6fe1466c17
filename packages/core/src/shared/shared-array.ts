/** Python's `multiprocessing.Array`: a fixed-length run of typed numbers in shared memory. */
import { inspect } from 'node:util';
import { InvalidStateError, MprocRangeError, MprocTypeError, shown } from '../errors.js';
import { activateReducers, type Reducer } from '../serialize/reducers.js';
import { type Cells, cellsOf } from './cells.js';
import {
  allocateLayout,
  describeLayout,
  type Layout,
  type LayoutDescriptor,
  openLayout,
  type SynchronizedOptions,
  type SyncLock,
} from './synchronized.js';
import {
  type Typecode,
  type TypecodeFor,
  type TypecodeInfo,
  type TypecodeValue,
  toElement,
  typecodeInfo,
} from './typecodes.js';

/** Options of `Array`: its lock (`lock`) and the context whose workers share it (`context`). */
export type ArrayOptions = SynchronizedOptions;

interface ArrayDescriptor {
  readonly typecode: Typecode;
  readonly length: number;
  readonly layout: LayoutDescriptor;
}

interface State {
  readonly info: TypecodeInfo;
  readonly layout: Layout;
  readonly cells: Cells;
}

/**
 * The state of each array, keyed by both the object and the Proxy handed out: methods run with
 * `this` set to the Proxy, where #private fields cannot be read.
 */
const states = new WeakMap<object, State>();

function stateOf(array: object): State {
  const state = states.get(array);
  if (!state) throw new MprocTypeError('not a shared Array');
  return state;
}

const INDEX = /^-?(?:0|[1-9]\d*)$/;

/** The element index a property key names, or undefined when it is not an integer key. */
function indexOf(key: string | symbol, length: number): number | undefined {
  if (typeof key !== 'string' || !INDEX.test(key)) return undefined;
  const index = Number(key);
  const resolved = index < 0 ? index + length : index;
  if (resolved < 0 || resolved >= length) {
    throw new MprocRangeError(`index ${key} is out of range for a shared Array of length ${length}`);
  }
  return resolved;
}

function checkedLength(
  sizeOrValues: number | Iterable<number | bigint>,
  what: string,
): number | (number | bigint)[] {
  if (typeof sizeOrValues === 'number') {
    if (!Number.isSafeInteger(sizeOrValues) || sizeOrValues < 0) {
      throw new MprocRangeError(`${what}: size must be a non-negative integer, got ${sizeOrValues}`);
    }
    return sizeOrValues;
  }
  if (sizeOrValues === null || typeof (sizeOrValues as Iterable<unknown>)?.[Symbol.iterator] !== 'function') {
    throw new MprocTypeError(`${what}: expected a size or an iterable of values, got ${shown(sizeOrValues)}`);
  }
  return [...sizeOrValues];
}

let adopting: State | undefined;

/**
 * The class behind `SharedArray`. It is exported as a constant of type `SharedArrayConstructor`,
 * not as itself: a class's constructor infers `T` from the values, so `new SharedArray('d', [0.5])`
 * was typed with the literal `0.5` and `new SharedArray('q', 3)` as number; the constructor type
 * picks `T` from the typecode.
 */
class SharedArrayClass<T extends number | bigint = number> {
  [index: number]: T;

  /** See `SharedArrayConstructor`. */
  constructor(typecode: Typecode, sizeOrValues: number | Iterable<number | bigint>, options?: ArrayOptions) {
    activateReducers();
    let state: State;
    if (adopting) {
      state = adopting;
      adopting = undefined;
    } else {
      const info = typecodeInfo(typecode);
      const what = `Array('${typecode}')`;
      const sizeOrItems = checkedLength(sizeOrValues, what);
      const items = typeof sizeOrItems === 'number' ? [] : sizeOrItems.map((item) => toElement(info, item));
      const length = typeof sizeOrItems === 'number' ? sizeOrItems : items.length;
      const layout = allocateLayout(length * info.bytes, options, what);
      const cells = cellsOf(layout.region, layout.byteOffset, info, length);
      items.forEach((item, index) => {
        cells.set(index, item);
      });
      state = { info, layout, cells };
    }
    const proxy = new Proxy<SharedArrayClass<T>>(
      this,
      handler as unknown as ProxyHandler<SharedArrayClass<T>>,
    );
    states.set(this, state);
    states.set(proxy, state);
    // biome-ignore lint/correctness/noConstructorReturn: indexing (`array[i]`) needs the Proxy.
    return proxy;
  }

  /** @internal An Array over existing shared memory (a revived descriptor). */
  static adopt(typecode: Typecode, length: number, layout: Layout): SharedArray<number | bigint> {
    const info = typecodeInfo(typecode);
    adopting = { info, layout, cells: cellsOf(layout.region, layout.byteOffset, info, length) };
    return new SharedArrayClass<number | bigint>(typecode, 0);
  }

  /** The number of elements, fixed at creation. */
  get length(): number {
    return stateOf(this).cells.length;
  }

  /** The typecode the Array was made with. */
  get typecode(): Typecode {
    return stateOf(this).info.typecode;
  }

  /** The element at `index`; negative counts from the end. */
  at(index: number): T {
    const { cells } = stateOf(this);
    const resolved = indexOf(String(Math.trunc(index)), cells.length) as number;
    return cells.get(resolved) as T;
  }

  /**
   * A plain array of the elements from `start` to `end` (exclusive; negative counts from the end, as
   * `Array.prototype.slice`), read now.
   */
  slice(start = 0, end?: number): T[] {
    const { cells } = stateOf(this);
    const bound = (position: number) =>
      position < 0 ? Math.max(0, cells.length + position) : Math.min(position, cells.length);
    return cells.slice(
      bound(Math.trunc(start)),
      bound(end === undefined ? cells.length : Math.trunc(end)),
    ) as T[];
  }

  /**
   * Stores `values` from `offset` on, as `TypedArray.prototype.set` (Python's slice assignment).
   * @throws RangeError when they do not fit; TypeError for a value of the wrong type.
   */
  set(values: Iterable<T | number>, offset = 0): void {
    const { cells, info } = stateOf(this);
    const items = [...values].map((item) => toElement(info, item));
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + items.length > cells.length) {
      throw new MprocRangeError(
        `Array.set(): ${items.length} values at ${offset} do not fit in ${cells.length}`,
      );
    }
    items.forEach((item, index) => {
      cells.set(offset + index, item);
    });
  }

  /** Its elements in order, read from shared memory one at a time. */
  *[Symbol.iterator](): IterableIterator<T> {
    const { cells } = stateOf(this);
    for (let index = 0; index < cells.length; index++) yield cells.get(index) as T;
  }

  /**
   * The lock that guards the Array (an RLock unless another was given).
   * @throws InvalidStateError when the Array was made with `{ lock: false }`.
   */
  getLock(): SyncLock {
    const { lock } = stateOf(this).layout;
    if (!lock) throw new InvalidStateError('Array.getLock(): this Array was made with { lock: false }');
    return lock;
  }

  /** The elements as a plain array, for JSON. */
  toJSON(): T[] {
    return this.slice();
  }

  /** How it reads in a message or a log line: its typecode and value(s). */
  toString(): string {
    return `Array('${this.typecode}', [${this.slice().join(', ')}])`;
  }

  /** What `console.log` and `util.inspect` show: as `toString()`. */
  [inspect.custom](): string {
    return this.toString();
  }

  /** The class's name, as `Object.prototype.toString()` shows it. */
  get [Symbol.toStringTag](): string {
    return 'Array';
  }
}

const handler: ProxyHandler<SharedArrayClass<number | bigint>> = {
  get(target, key, receiver) {
    const state = states.get(target) as State;
    const index = indexOf(key, state.cells.length);
    if (index !== undefined) return state.cells.get(index);
    return Reflect.get(target, key, receiver);
  },
  set(target, key, value, receiver) {
    const state = states.get(target) as State;
    const index = indexOf(key, state.cells.length);
    if (index === undefined) return Reflect.set(target, key, value, receiver);
    state.cells.set(index, toElement(state.info, value));
    return true;
  },
  has(target, key) {
    if (typeof key === 'string' && INDEX.test(key)) {
      const index = Number(key);
      return index >= 0 && index < (states.get(target) as State).cells.length;
    }
    return Reflect.has(target, key);
  },
};

/** A shared array made by `new SharedArray(...)` or `ctx.Array(...)`: see `SharedArray`. */
export interface SharedArray<T extends number | bigint = number> extends SharedArrayClass<T> {}

/**
 * The type of the `SharedArray` (`Array`) constructor. The typecode decides the element type, as for
 * `ctx.Array`: `new SharedArray('d', [0.5, 1.5])` is a `SharedArray<number>`, `new SharedArray('q', 3)`
 * a `SharedArray<bigint>`. (The first signature serves number typecodes and an explicit
 * `new SharedArray<number>(...)`; the typecodes it takes depend on `T`, so a `q`/`Q` without one goes
 * to the second.)
 */
export interface SharedArrayConstructor {
  /**
   * A shared array of `typecode` elements (`b B h H i I l L q Q f d`): `sizeOrValues` zeros, or the
   * given values, guarded by a new RLock unless `options.lock` says otherwise. `ctx.Array(...)` is
   * the same on `ctx`'s workers. `T` is the element type, a BigInt for `q`/`Q` and a number for the
   * others: `new SharedArray('d', [0.5, 1.5])` is a `SharedArray<number>`.
   * @throws TypeError for an unknown typecode, a value of the wrong type or invalid options.
   * @throws RangeError for a size that is not a non-negative integer.
   */
  new <T extends number | bigint = number>(
    typecode: TypecodeFor<T>,
    sizeOrValues: number | Iterable<NoInfer<T> | number>,
    options?: ArrayOptions,
  ): SharedArray<T>;
  /**
   * As above, the element type read from the typecode: `new SharedArray('q', 3)` is a
   * `SharedArray<bigint>`.
   */
  new <C extends Typecode>(
    typecode: C,
    sizeOrValues: number | Iterable<TypecodeValue<C> | number>,
    options?: ArrayOptions,
  ): SharedArray<TypecodeValue<C>>;
  /** What `instanceof SharedArray` narrows to. */
  readonly prototype: SharedArray<number | bigint>;
}

/**
 * Python's `multiprocessing.Array`, a fixed-length run of typed numbers in memory shared by every
 * worker of its context. Exported as `Array` (Python's name, also `ctx.Array`) and as `SharedArray`,
 * which does not shadow the global `Array` on import. `array[i]`, `array.length`, iteration and
 * `array.slice()` are synchronous. Indexing follows Python: a negative index counts from the end, and
 * an index out of range throws a RangeError (Python's IndexError) instead of reading `undefined`.
 *
 * @example
 * ```ts
 * const samples = ctx.Array('d', [0.5, 1.5, 2.5]); // 'd': float64
 * await pool.map((a) => { a[0] = a[1] + a[2]; }, [samples]);
 * console.log(samples.slice()); // [ 4, 1.5, 2.5 ]
 * ```
 *
 * @class
 */
export const SharedArray: SharedArrayConstructor = SharedArrayClass;

/** Sends an Array to a worker as its typecode, length and where its memory and lock are. */
export const arrayReducer: Reducer<SharedArray<number | bigint>> = {
  tag: 'mproc.Array',
  type: SharedArrayClass,
  reduce: (array) => {
    const { info, layout, cells } = stateOf(array);
    return {
      typecode: info.typecode,
      length: cells.length,
      layout: describeLayout(layout),
    } satisfies ArrayDescriptor;
  },
  revive: (data) => {
    const { typecode, length, layout } = data as ArrayDescriptor;
    return SharedArrayClass.adopt(typecode, length, openLayout(layout));
  },
};
