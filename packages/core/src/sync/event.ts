/** Python's `multiprocessing.Event` on every start method. */
import type { ContextLike } from '../backend.js';
import { activateReducers, type Reducer } from '../serialize/reducers.js';
import {
  allocateRegion,
  memoryKindOf,
  openRegion,
  type RegionDescriptor,
  type SharedRegion,
} from '../shared/shared-memory.js';
import { checkTimeout } from '../timeout-option.js';
import { type SharedWords, wordsIn } from './shared-words.js';
import { SLICE_MS } from './word-mutex.js';

const FLAG = 0;
/** futex's "wake everyone" */
const EVERYONE = 0x7fffffff;

let adopting: SharedRegion | undefined;
let regionOf: (event: Event) => SharedRegion;

/**
 * Python's `multiprocessing.Event`, a flag shared by every worker of the context. `wait()`
 * resolves as soon as the flag is set (or with false after its timeout), without polling in memory
 * regions: waiters sleep on the flag's word and `set()` wakes them all.
 *
 * @example
 * ```ts
 * const ready = ctx.Event();
 * // in a worker: `await ready.wait()`, or `await ready.wait(1_000)` for false after 1 s
 * await ready.set();
 * console.log(await ready.isSet()); // true
 * ```
 */
export class Event {
  readonly #region: SharedRegion;
  readonly #words: SharedWords;

  static {
    regionOf = (event) => event.#region;
  }

  /** A new clear Event for the workers of `context` (default: the default context). */
  constructor(context?: ContextLike) {
    activateReducers();
    this.#region = adopting ?? allocateRegion(8, memoryKindOf(context));
    adopting = undefined;
    this.#words = wordsIn(this.#region, 0, 2);
  }

  /** @internal An Event over an existing region (a revived descriptor). */
  static adopt(region: SharedRegion): Event {
    adopting = region;
    return new Event();
  }

  /** Sets the flag and wakes every waiter. */
  async set(): Promise<void> {
    this.#words.store(FLAG, 1);
    this.#words.wake(FLAG, EVERYONE);
  }

  /** Clears the flag. */
  async clear(): Promise<void> {
    this.#words.store(FLAG, 0);
  }

  /** Whether the flag is set. */
  async isSet(): Promise<boolean> {
    return this.#words.load(FLAG) === 1;
  }

  /**
   * Waits until the flag is set, at most `timeout` ms (undefined: no limit). Resolves the flag: true
   * when set, false when the time ran out.
   * @throws TypeError / RangeError (as a rejection) for a timeout that is not a non-negative number.
   */
  async wait(timeout?: number | null): Promise<boolean> {
    const limit = checkTimeout(timeout, 'Event.wait(timeout)');
    const deadline = limit === undefined ? Number.POSITIVE_INFINITY : performance.now() + limit;
    const words = this.#words;
    for (;;) {
      if (words.load(FLAG) === 1) return true;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return false;
      await words.wait(FLAG, 0, Math.min(SLICE_MS, remaining));
    }
  }

  /** The class's name, as `Object.prototype.toString()` shows it. */
  get [Symbol.toStringTag](): string {
    return 'Event';
  }
}

/** Sends an Event to a worker as its region. */
export const eventReducer: Reducer<Event> = {
  tag: 'mproc.Event',
  type: Event,
  reduce: (event) => ({ region: regionOf(event).descriptor() }),
  revive: (data) => Event.adopt(openRegion((data as { region: RegionDescriptor }).region)),
};
