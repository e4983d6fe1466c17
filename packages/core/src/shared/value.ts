/** Python's `multiprocessing.Value`: one typed number in shared memory. */
import { InvalidStateError } from '../errors.js';
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

/** Options of `Value`: its lock (`lock`) and the context whose workers share it (`context`). */
export type ValueOptions = SynchronizedOptions;

interface ValueDescriptor {
  readonly typecode: Typecode;
  readonly layout: LayoutDescriptor;
}

let adopting: { info: TypecodeInfo; layout: Layout } | undefined;
let describe: (value: SharedValue<number | bigint>) => ValueDescriptor;

/**
 * The class behind `Value`. It is exported as a constant of type `ValueConstructor`, not as itself:
 * a class's constructor infers `T` from the initial value, so `new Value('i', 0)` was typed with the
 * literal `0` and `new Value('q')` as number; the constructor type picks `T` from the typecode.
 */
class SharedValue<T extends number | bigint = number> {
  readonly #info: TypecodeInfo;
  readonly #layout: Layout;
  readonly #cells: Cells;

  static {
    describe = (value) => ({ typecode: value.#info.typecode, layout: describeLayout(value.#layout) });
  }

  /** See `ValueConstructor`. */
  constructor(typecode: Typecode, initial?: number | bigint, options?: ValueOptions) {
    activateReducers();
    if (adopting) {
      ({ info: this.#info, layout: this.#layout } = adopting);
      adopting = undefined;
      this.#cells = cellsOf(this.#layout.region, this.#layout.byteOffset, this.#info, 1);
      return;
    }
    this.#info = typecodeInfo(typecode);
    const element = toElement(this.#info, initial ?? 0);
    this.#layout = allocateLayout(this.#info.bytes, options, `Value('${typecode}')`);
    this.#cells = cellsOf(this.#layout.region, this.#layout.byteOffset, this.#info, 1);
    if (element !== 0 && element !== 0n) this.#cells.set(0, element);
  }

  /** @internal A Value over existing shared memory (a revived descriptor). */
  static adopt(typecode: Typecode, layout: Layout): Value<number | bigint> {
    adopting = { info: typecodeInfo(typecode), layout };
    return new SharedValue<number | bigint>(typecode);
  }

  /** The shared number: a BigInt for `q`/`Q`, else a number. Reading it never waits. */
  get value(): T {
    return this.#cells.get(0) as T;
  }

  /**
   * Stores a number, wrapped or rounded to the typecode as a C assignment would (Int8 wraps,
   * Float32 rounds).
   * @throws TypeError for a value of the wrong type (see the constructor).
   */
  set value(value: T | number) {
    this.#cells.set(0, toElement(this.#info, value));
  }

  /** The typecode the Value was made with. */
  get typecode(): Typecode {
    return this.#info.typecode;
  }

  /**
   * The lock that guards the Value (an RLock unless another was given).
   * @throws InvalidStateError when the Value was made with `{ lock: false }`.
   */
  getLock(): SyncLock {
    const { lock } = this.#layout;
    if (!lock) throw new InvalidStateError('Value.getLock(): this Value was made with { lock: false }');
    return lock;
  }

  /** How it reads in a message or a log line: its typecode and value(s). */
  toString(): string {
    return `Value('${this.#info.typecode}', ${String(this.value)})`;
  }

  /** The class's name, as `Object.prototype.toString()` shows it. */
  get [Symbol.toStringTag](): string {
    return 'Value';
  }
}

/** A shared number made by `new Value(...)` or `ctx.Value(...)`: see `Value`. */
export interface Value<T extends number | bigint = number> extends SharedValue<T> {}

/**
 * The type of the `Value` constructor. The typecode decides the element type, as for `ctx.Value`:
 * `new Value('i', 0)` is a `Value<number>`, `new Value('q', 1n)` a `Value<bigint>`. (The first
 * signature serves `new Value('i', 0)` and an explicit `new Value<number>(...)`; the typecodes it
 * takes depend on `T`, so a `q`/`Q` without one goes to the second.)
 */
export interface ValueConstructor {
  /**
   * A shared number of type `typecode` (`b B h H i I l L q Q f d`), set to `initial` (default 0),
   * guarded by a new RLock unless `options.lock` says otherwise. `ctx.Value(...)` is the same on
   * `ctx`'s workers. `T` is the element type, a BigInt for `q`/`Q` and a number for the others:
   * `new Value('i', 0)` is a `Value<number>`, and so is `new Value<number>('i', 0)`.
   * @throws TypeError for an unknown typecode, an `initial` of the wrong type (q/Q take BigInts or
   *   integral numbers, the others numbers) or invalid options.
   */
  new <T extends number | bigint = number>(
    typecode: TypecodeFor<T>,
    initial?: NoInfer<T> | number,
    options?: ValueOptions,
  ): Value<T>;
  /** As above, the element type read from the typecode: `new Value('q', 1n)` is a `Value<bigint>`. */
  new <C extends Typecode>(
    typecode: C,
    initial?: TypecodeValue<C> | number,
    options?: ValueOptions,
  ): Value<TypecodeValue<C>>;
  /** What `instanceof Value` narrows to. */
  readonly prototype: Value<number | bigint>;
}

/**
 * Python's `multiprocessing.Value`, one typed number in memory shared by every worker of its
 * context. `value.value` reads and writes it synchronously on every start method; each read or write
 * is atomic by itself (for integer typecodes), and a read-modify-write such as `v.value += 1` needs
 * the lock. A Value may be passed to workers in a task's arguments, a Process's args or initArgs.
 *
 * @example
 * ```ts
 * const counter = new Value('i', 0); // 'i': a 32-bit int; guarded by a new RLock
 * await pool.map(
 *   (v) => {
 *     const lock = v.getLock(); // Python's `with v.get_lock():`
 *     lock.acquireSync();
 *     try {
 *       v.value += 1;
 *     } finally {
 *       lock.releaseSync();
 *     }
 *   },
 *   [counter, counter, counter],
 * );
 * console.log(counter.value); // 3
 * ```
 *
 * @class
 */
export const Value: ValueConstructor = SharedValue;

/** Sends a Value to a worker as its typecode and where its memory and lock are. */
export const valueReducer: Reducer<Value<number | bigint>> = {
  tag: 'mproc.Value',
  type: SharedValue,
  reduce: (value) => describe(value),
  revive: (data) => {
    const { typecode, layout } = data as ValueDescriptor;
    return SharedValue.adopt(typecode, openLayout(layout));
  },
};
