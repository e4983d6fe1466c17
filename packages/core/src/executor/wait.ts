/**
 * Waiting on many futures at once, as Python's `concurrent.futures.wait()` and `as_completed()`.
 * Both listen to the futures (no polling) and detach from them when they return.
 */
import { MprocRangeError, MprocTypeError, shown, TimeoutError } from '../errors.js';
import { checkTimeout } from '../timeout-option.js';
import { FAILED, Future, ON_DONE } from './future.js';
import { deadlineAfter, remainingUntil, until } from './timeout.js';

/** `wait()` returns as soon as any future is done (finished or cancelled). */
export const FIRST_COMPLETED = 'FIRST_COMPLETED';
/** `wait()` returns as soon as any future fails; when none fails, as ALL_COMPLETED. */
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
/** `wait()` returns once every future is done. */
export const ALL_COMPLETED = 'ALL_COMPLETED';

/** When `wait()` returns: Python's constants of that name. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** Options of `wait()`: Python's `timeout` (in ms here) and `return_when`. */
export interface WaitOptions {
  /** Milliseconds to wait at most; on timeout, wait() returns what is done so far. */
  readonly timeout?: number;
  /** Default ALL_COMPLETED. */
  readonly returnWhen?: ReturnWhen;
}

/** The futures given to `wait()`, sorted. */
export interface DoneAndNotDone<F extends Future<unknown> = Future<unknown>> {
  /** The futures that finished or were cancelled. */
  readonly done: Set<F>;
  /** The futures still queued or running. */
  readonly notDone: Set<F>;
}

const RETURN_WHEN: readonly string[] = [FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED];

/** The distinct futures of `futures`, in first-seen order. @throws TypeError for anything else. */
function distinctFutures<F extends Future<unknown>>(futures: Iterable<F>, what: string): Set<F> {
  if (typeof (futures as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function') {
    throw new MprocTypeError(`${what}: futures must be an iterable of Future`);
  }
  const distinct = new Set<F>();
  for (const future of futures) {
    if (!(future instanceof Future))
      throw new MprocTypeError(`${what}: futures must be an iterable of Future`);
    distinct.add(future);
  }
  return distinct;
}

function parseWaitOptions(options: WaitOptions, what: string): { timeout?: number; returnWhen: ReturnWhen } {
  if (typeof options !== 'object' || options === null)
    throw new MprocTypeError(`${what}: options must be an object`);
  for (const key of Object.keys(options)) {
    if (key !== 'timeout' && key !== 'returnWhen')
      throw new MprocTypeError(`${what}: unknown option '${key}'`);
  }
  const { returnWhen = ALL_COMPLETED } = options;
  const timeout = checkTimeout(options.timeout, what);
  if (!RETURN_WHEN.includes(returnWhen)) {
    throw new MprocRangeError(
      `${what}: option 'returnWhen' must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, got ${shown(returnWhen)}`,
    );
  }
  return { timeout, returnWhen };
}

function split<F extends Future<unknown>>(futures: Set<F>): DoneAndNotDone<F> {
  const done = new Set<F>();
  const notDone = new Set<F>();
  for (const future of futures) (future.done() ? done : notDone).add(future);
  return { done, notDone };
}

/**
 * Waits until the `returnWhen` condition holds or `timeout` ms have passed, then sorts the futures
 * into `done` and `notDone`. It never rejects on timeout: check `notDone`.
 * @throws TypeError / RangeError (at the call) naming an invalid argument.
 */
export function wait<F extends Future<unknown>>(
  futures: Iterable<F>,
  options: WaitOptions = {},
): Promise<DoneAndNotDone<F>> {
  const what = 'wait';
  const all = distinctFutures(futures, what);
  const { timeout, returnWhen } = parseWaitOptions(options, what);
  const settles = (future: F) =>
    returnWhen === FIRST_COMPLETED || (returnWhen === FIRST_EXCEPTION && future[FAILED]);
  let pending = 0;
  for (const future of all) {
    if (!future.done()) pending++;
    else if (settles(future)) return Promise.resolve(split(all));
  }
  if (pending === 0) return Promise.resolve(split(all));
  return new Promise((resolve) => {
    const detachers: Array<() => void> = [];
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      for (const detach of detachers) detach();
      resolve(split(all));
    };
    for (const future of all) {
      if (future.done()) continue;
      detachers.push(
        future[ON_DONE](() => {
          if (--pending === 0 || settles(future)) finish();
        }),
      );
    }
    if (timeout !== undefined && !finished) timer = setTimeout(finish, timeout);
  });
}

/**
 * Yields the futures as they complete: those already done first, then each as it finishes or is
 * cancelled. Duplicates are yielded once. Leaving the loop early detaches from the futures.
 * @throws TimeoutError (from the iteration) when not all are done `timeout` ms after this call;
 *   TypeError / RangeError (at the call) for invalid arguments.
 */
export function asCompleted<F extends Future<unknown>>(
  futures: Iterable<F>,
  timeout?: number,
): AsyncIterableIterator<F> {
  const what = 'asCompleted';
  const all = distinctFutures(futures, what);
  return new AsCompletedIterator(all, checkTimeout(timeout, what));
}

/**
 * A class, not an async generator: `yield` in an async generator awaits a thenable, and a Future is
 * one, so a generator would yield the futures' values instead of the futures.
 */
class AsCompletedIterator<F extends Future<unknown>> implements AsyncIterableIterator<F> {
  readonly #total: number;
  readonly #timeout: number | undefined;
  readonly #deadline: number | undefined;
  readonly #completed: F[] = [];
  #next = 0;
  readonly #pending = new Set<F>();
  readonly #detachers: Array<() => void> = [];
  #wake: (() => void) | undefined;
  #finished = false;

  constructor(all: Set<F>, timeout: number | undefined) {
    this.#total = all.size;
    this.#timeout = timeout;
    this.#deadline = deadlineAfter(timeout);
    // Listening starts now, so the order is the completion order from the asCompleted() call on.
    for (const future of all) {
      if (future.done()) {
        this.#completed.push(future);
        continue;
      }
      this.#pending.add(future);
      this.#detachers.push(
        future[ON_DONE](() => {
          this.#pending.delete(future);
          this.#completed.push(future);
          this.#wake?.();
        }),
      );
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<F>> {
    while (!this.#finished) {
      if (this.#next < this.#completed.length) return { done: false, value: this.#completed[this.#next++] };
      if (this.#pending.size === 0) break;
      const left = remainingUntil(this.#deadline);
      if (left === 0) {
        this.#finish();
        throw new TimeoutError(
          `asCompleted: ${this.#pending.size} (of ${this.#total}) futures unfinished after ${this.#timeout} ms`,
        );
      }
      await until((listener) => {
        this.#wake = listener;
        return () => {
          this.#wake = undefined;
        };
      }, left);
    }
    this.#finish();
    return { done: true, value: undefined };
  }

  async return(): Promise<IteratorResult<F>> {
    this.#finish();
    return { done: true, value: undefined };
  }

  #finish(): void {
    this.#finished = true;
    for (const detach of this.#detachers) detach();
    this.#detachers.length = 0;
  }
}
