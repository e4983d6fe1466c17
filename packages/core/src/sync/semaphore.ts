/**
 * Python's `multiprocessing.Semaphore` and `BoundedSemaphore` on every start method. How it is made:
 *
 * Words: [count, waiters, bound (-1: none)]. A semaphore has no owner: a worker that dies holding a
 * unit takes it with it, as in Python.
 */
import type { ContextLike } from '../backend.js';
import { MprocRangeError, shown } from '../errors.js';
import { activateReducers, type Reducer } from '../serialize/reducers.js';
import {
  allocateRegion,
  memoryKindOf,
  openRegion,
  type RegionDescriptor,
  type SharedRegion,
} from '../shared/shared-memory.js';
import { type AcquireOptions, hold, type ResolvedAcquire, resolveAcquireOptions } from './acquire-options.js';
import { type SharedWords, wordsIn } from './shared-words.js';
import { SLICE_MS } from './word-mutex.js';

const COUNT = 0;
const WAITERS = 1;
const BOUND = 2;
const WORDS = 3;
const UNBOUNDED = -1;
/** Counts fit a signed 32-bit word. */
const MAX_VALUE = 0x7fffffff;

interface SemaphoreDescriptor {
  readonly region: RegionDescriptor;
  readonly bounded: boolean;
}

let adopting: SharedRegion | undefined;
let regionOf: (semaphore: Semaphore) => SharedRegion;

const TAKEN = Promise.resolve(true);

/**
 * Python's `multiprocessing.Semaphore(value=1)` and
 * `BoundedSemaphore(value=1)`, a counter shared by every worker of the context. `acquire()` takes one
 * unit, waiting while there is none; `release()` gives one back and wakes one waiter. Any worker may
 * release. A BoundedSemaphore refuses to go above its initial value.
 *
 * @example
 * ```ts
 * const slots = ctx.Semaphore(2); // two workers at a time
 * await slots.acquire();
 * try {
 *   // at most two workers here
 * } finally {
 *   await slots.release();
 * }
 * ```
 */
export class Semaphore {
  readonly #region: SharedRegion;
  readonly #words: SharedWords;

  static {
    regionOf = (semaphore) => semaphore.#region;
  }

  /**
   * A semaphore with `value` units (default 1) for the workers of `context` (default: the default
   * context). `ctx.Semaphore(value)` is the same.
   * @throws RangeError when `value` is not an integer from 0 to 2^31 - 1.
   */
  constructor(value = 1, context?: ContextLike) {
    activateReducers();
    const adopted = adopting;
    adopting = undefined;
    if (adopted) {
      this.#region = adopted;
      this.#words = wordsIn(adopted, 0, WORDS);
      return;
    }
    checkValue(value, new.target.name);
    this.#region = allocateRegion(WORDS * 4, memoryKindOf(context));
    this.#words = wordsIn(this.#region, 0, WORDS);
    this.#words.store(COUNT, value);
    this.#words.store(BOUND, new.target === BoundedSemaphore ? value : UNBOUNDED);
  }

  /** @internal A semaphore over an existing region (a revived descriptor). */
  static adopt<S extends typeof Semaphore>(this: S, region: SharedRegion): InstanceType<S> {
    adopting = region;
    return new this() as InstanceType<S>;
  }

  /**
   * Takes one unit: at once when there is one; else waits (with `timeout`, at most that many ms), or
   * with `block: false` gives up at once. Resolves whether it took one.
   * @throws TypeError / RangeError (as a rejection) for invalid options.
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    let resolved: ResolvedAcquire;
    try {
      resolved = resolveAcquireOptions(options, `${this.constructor.name}.acquire()`);
    } catch (error) {
      return Promise.reject(error);
    }
    const seen = this.#words.update(COUNT, takeOne);
    if (typeof seen === 'number') {
      if (seen > 0) return TAKEN;
      if (!resolved.block || resolved.timeout === 0) return Promise.resolve(false);
    }
    return this.#acquireSlowly(seen, resolved);
  }

  async #acquireSlowly(
    first: number | Promise<number>,
    { block, timeout }: ResolvedAcquire,
  ): Promise<boolean> {
    const words = this.#words;
    const deadline = timeout === undefined ? Number.POSITIVE_INFINITY : performance.now() + timeout;
    let seen = await first;
    for (;;) {
      if (seen > 0) return true;
      const remaining = deadline - performance.now();
      if (!block || remaining <= 0) return false;
      await words.update(WAITERS, (waiters) => waiters + 1);
      try {
        await words.wait(COUNT, 0, Math.min(SLICE_MS, remaining));
      } finally {
        await words.update(WAITERS, (waiters) => waiters - 1);
      }
      seen = await words.update(COUNT, takeOne);
    }
  }

  /**
   * Gives one unit back and wakes one waiter; any worker may call it.
   * @throws RangeError (as a rejection) for a BoundedSemaphore already at its initial value, or a
   *   count that would pass 2^31 - 1.
   */
  async release(): Promise<void> {
    const words = this.#words;
    const bound = words.load(BOUND);
    const limit = bound === UNBOUNDED ? MAX_VALUE : bound;
    const seen = await words.update(COUNT, (count) => (count < limit ? count + 1 : undefined));
    if (seen >= limit) {
      throw new MprocRangeError(
        `${this.constructor.name}.release(): released too many times`,
        'ERR_MPROC_SEMAPHORE_OVER_RELEASED',
      );
    }
    if (words.load(WAITERS) > 0) words.wake(COUNT, 1);
  }

  /**
   * Takes one unit for an `await using held = await semaphore.hold()` block, which gives it back.
   * @throws TimeoutError (as a rejection) when `block: false` or `timeout` kept it from taking one.
   */
  hold(options?: AcquireOptions): Promise<AsyncDisposable> {
    return hold(this, options, this.constructor.name);
  }

  /** The number of units free now (Python's `get_value()`). */
  async getValue(): Promise<number> {
    return this.#words.load(COUNT);
  }

  /** The class's name, as `Object.prototype.toString()` shows it. */
  get [Symbol.toStringTag](): string {
    return this.constructor.name;
  }
}

/** A Semaphore whose `release()` beyond its initial value throws, as Python's `BoundedSemaphore`. */
export class BoundedSemaphore extends Semaphore {}

function takeOne(count: number): number | undefined {
  return count > 0 ? count - 1 : undefined;
}

function checkValue(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_VALUE) {
    throw new MprocRangeError(
      `${what}(value): value must be an integer from 0 to ${MAX_VALUE}, got ${shown(value)}`,
    );
  }
}

/** Sends a Semaphore or BoundedSemaphore to a worker as its region (the bound lives in the region). */
export const semaphoreReducer: Reducer<Semaphore> = {
  tag: 'mproc.Semaphore',
  type: Semaphore,
  reduce: (semaphore) =>
    ({
      region: regionOf(semaphore).descriptor(),
      bounded: semaphore instanceof BoundedSemaphore,
    }) satisfies SemaphoreDescriptor,
  revive: (data) => {
    const { region, bounded } = data as SemaphoreDescriptor;
    return (bounded ? BoundedSemaphore : Semaphore).adopt(openRegion(region));
  },
};
