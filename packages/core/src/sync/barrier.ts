/**
 * Python's `multiprocessing.Barrier` on every start method. How it is made:
 *
 * One region: a mutex (8 bytes, as a Value's lock) that orders arrivals, then two words:
 *
 *   STATE  generation << 2 | BROKEN (2: broken now) | RESET (1: the previous generation was reset
 *          while it had waiters). Waiters sleep on it; any change wakes them, and the value tells
 *          them how their generation ended.
 *   COUNT  arrivals in the current generation
 */

import type { ContextLike } from '../backend.js';
import { currentResolver } from '../child/function-resolver.js';
import { BrokenBarrierError, MprocRangeError, shown } from '../errors.js';
import type { FunctionDefinition } from '../protocol/messages.js';
import { functionHandle } from '../serialize/function-handle.js';
import { activateReducers, type Reducer } from '../serialize/reducers.js';
import {
  allocateRegion,
  memoryKindOf,
  openRegion,
  type RegionDescriptor,
  type SharedRegion,
} from '../shared/shared-memory.js';
import { checkTimeout } from '../timeout-option.js';
import { MUTEX_BYTES, type Mutex, mutexIn } from './mutex.js';
import { type SharedWords, wordsIn } from './shared-words.js';
import { SLICE_MS } from './word-mutex.js';

const STATE = 0;
const COUNT = 1;
const WORDS = 2;
const RESET = 1;
const BROKEN = 2;
const GENERATIONS = 0x1fffffff;
/** futex's "wake everyone" */
const EVERYONE = 0x7fffffff;

type Action = () => unknown;

interface BarrierDescriptor {
  readonly region: RegionDescriptor;
  readonly parties: number;
  readonly timeout: number | null;
  readonly action: FunctionDefinition | null;
}

let adopting: BarrierDescriptor | undefined;
let describe: (barrier: Barrier) => BarrierDescriptor;

/** The first state of the generation after `state`'s. */
function nextGeneration(state: number): number {
  return (((state >>> 2) + 1) & GENERATIONS) << 2;
}

/** How the generation a waiter arrived in (`arrival`, the state it saw) has ended by `state`. */
function outcome(arrival: number, state: number): 'waiting' | 'released' | 'broken' {
  if (state === arrival) return 'waiting';
  if (state >>> 2 === arrival >>> 2) return 'broken'; // same generation, BROKEN set
  if (state === (nextGeneration(arrival) | RESET)) return 'broken';
  // The next generation began normally (or, after a sleep through a whole later generation, some
  // later one did): this waiter's generation was released.
  return 'released';
}

/**
 * Python's `multiprocessing.Barrier(parties, action=None, timeout=None)`. Each `wait()`
 * blocks until `parties` workers have called it, then all go on together, each with its arrival index
 * (0 .. parties-1). The last arrival runs `action` first, in its own worker, as Python runs it in one
 * of the released threads. A reset, an abort, a timeout or an action that throws breaks the barrier:
 * its waiters reject with BrokenBarrierError, and so does every later `wait()` until `reset()`.
 *
 * @example
 * ```ts
 * const barrier = ctx.Barrier(3); // three workers meet
 * // in each of the three: `const index = await barrier.wait();` (0, 1 or 2)
 * ```
 */
export class Barrier {
  readonly #region: SharedRegion;
  readonly #words: SharedWords;
  readonly #mutex: Mutex;
  readonly #parties: number;
  readonly #timeout: number | undefined;
  readonly #definition: FunctionDefinition | null;
  #action: Action | undefined;

  static {
    describe = (barrier) => ({
      region: barrier.#region.descriptor(),
      parties: barrier.#parties,
      timeout: barrier.#timeout ?? null,
      action: barrier.#definition,
    });
  }

  /**
   * A barrier for `parties` workers of `context` (default: the default context). `action`, when
   * given, runs once per generation in the worker of the last arrival before anyone is released; it
   * is sent as task functions are (source text, `task()`, or an export of `modules` / the main
   * module). `timeout` (ms) is the default of `wait()`. `ctx.Barrier(...)` is the same.
   * @throws RangeError when `parties` is not an integer from 1 to 65535, or `timeout` is negative.
   * @throws TypeError when `action` is not a function that can be sent (native, bound, a class).
   */
  constructor(parties: number, action?: Action | null, timeout?: number | null, context?: ContextLike) {
    activateReducers();
    const adopted = adopting;
    adopting = undefined;
    if (adopted) {
      this.#region = openRegion(adopted.region);
      this.#parties = adopted.parties;
      this.#timeout = adopted.timeout ?? undefined;
      this.#definition = adopted.action;
    } else {
      if (!Number.isInteger(parties) || parties < 1 || parties > 0xffff) {
        throw new MprocRangeError(
          `Barrier(parties): parties must be an integer from 1 to 65535, got ${shown(parties)}`,
        );
      }
      this.#timeout = checkTimeout(timeout, 'Barrier(parties, action, timeout)');
      this.#parties = parties;
      if (action !== undefined && action !== null) {
        this.#definition = functionHandle(action, 'Barrier(parties, action)').definition;
        this.#action = action;
      } else {
        this.#definition = null;
      }
      this.#region = allocateRegion(MUTEX_BYTES + WORDS * 4, memoryKindOf(context));
    }
    this.#mutex = mutexIn(this.#region, 0);
    this.#words = wordsIn(this.#region, MUTEX_BYTES, WORDS);
  }

  /** @internal A Barrier over an existing region (a revived descriptor). */
  static adopt(descriptor: BarrierDescriptor): Barrier {
    adopting = descriptor;
    return new Barrier(descriptor.parties);
  }

  /** The number of workers that must call `wait()` to pass. */
  get parties(): number {
    return this.#parties;
  }

  /**
   * Waits until `parties` workers are waiting, at most `timeout` ms (default: the barrier's timeout;
   * undefined there too: no limit). Resolves this caller's arrival index, 0 .. parties-1.
   * @throws BrokenBarrierError (as a rejection) when the barrier is or becomes broken: `abort()`,
   *   `reset()` while waiting, a timeout (which breaks it for every waiter, as in Python), or an
   *   action that threw in another worker. The worker whose action threw gets that error instead.
   * @throws TypeError / RangeError (as a rejection) for an invalid timeout.
   */
  async wait(timeout?: number | null): Promise<number> {
    const limit = checkTimeout(timeout ?? this.#timeout, 'Barrier.wait(timeout)');
    const deadline = limit === undefined ? Number.POSITIVE_INFINITY : performance.now() + limit;
    const action = await this.#resolveAction();
    const words = this.#words;
    await this.#lock();
    let arrival: number;
    let index: number;
    try {
      arrival = words.load(STATE);
      if (arrival & BROKEN) throw new BrokenBarrierError('Barrier.wait(): the barrier is broken');
      index = words.load(COUNT);
      if (index + 1 === this.#parties) {
        // The last arrival: run the action, then start the next generation, releasing the others.
        if (action) {
          try {
            await action();
          } catch (error) {
            this.#setState(arrival | BROKEN);
            throw error;
          }
        }
        words.store(COUNT, 0);
        this.#setState(nextGeneration(arrival));
        return index;
      }
      words.store(COUNT, index + 1);
    } finally {
      await this.#mutex.release();
    }
    return this.#sleep(arrival, index, deadline);
  }

  async #sleep(arrival: number, index: number, deadline: number): Promise<number> {
    const words = this.#words;
    for (;;) {
      const state = words.load(STATE);
      const ended = outcome(arrival, state);
      if (ended === 'released') return index;
      if (ended === 'broken') throw new BrokenBarrierError('Barrier.wait(): the barrier was reset or broken');
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        await this.#lock();
        try {
          // Unless the generation ended meanwhile, the timeout breaks it for everyone.
          if (words.load(STATE) !== arrival) continue;
          this.#setState(arrival | BROKEN);
        } finally {
          await this.#mutex.release();
        }
        throw new BrokenBarrierError('Barrier.wait(): timed out, and the barrier is broken');
      }
      await words.wait(STATE, arrival, Math.min(SLICE_MS, remaining));
    }
  }

  /**
   * Puts the barrier back to its empty, unbroken state; workers waiting on it now reject with
   * BrokenBarrierError.
   */
  async reset(): Promise<void> {
    const words = this.#words;
    await this.#lock();
    try {
      const state = words.load(STATE);
      const hadWaiters = words.load(COUNT) > 0 || (state & BROKEN) !== 0;
      words.store(COUNT, 0);
      this.#setState(nextGeneration(state) | (hadWaiters ? RESET : 0));
    } finally {
      await this.#mutex.release();
    }
  }

  /** Breaks the barrier: current and later waiters reject with BrokenBarrierError until `reset()`. */
  async abort(): Promise<void> {
    await this.#lock();
    try {
      this.#setState(this.#words.load(STATE) | BROKEN);
    } finally {
      await this.#mutex.release();
    }
  }

  /** The number of workers waiting now (0 while broken), as Python's `n_waiting`. */
  async nWaiting(): Promise<number> {
    return this.#words.load(STATE) & BROKEN ? 0 : this.#words.load(COUNT);
  }

  /** Whether the barrier is broken. */
  async broken(): Promise<boolean> {
    return (this.#words.load(STATE) & BROKEN) !== 0;
  }

  /** The class's name, as `Object.prototype.toString()` shows it. */
  get [Symbol.toStringTag](): string {
    return 'Barrier';
  }

  #lock(): Promise<boolean> | boolean {
    return this.#mutex.tryAcquire() || this.#mutex.acquire(true, undefined);
  }

  /** Stores a new state and wakes every waiter (all of them must look at it). */
  #setState(state: number): void {
    this.#words.store(STATE, state);
    this.#words.wake(STATE, EVERYONE);
  }

  /** The action as a function in this worker: the one given, or its definition resolved here once. */
  async #resolveAction(): Promise<Action | undefined> {
    if (this.#action || !this.#definition) return this.#action;
    const { fn } = await currentResolver().resolveDefinition(this.#definition);
    this.#action = fn as Action;
    return this.#action;
  }
}

/** Sends a Barrier to a worker as its region, parties, default timeout and action's definition. */
export const barrierReducer: Reducer<Barrier> = {
  tag: 'mproc.Barrier',
  type: Barrier,
  reduce: (barrier) => describe(barrier),
  revive: (data) => Barrier.adopt(data as BarrierDescriptor),
};
