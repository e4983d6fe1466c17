/**
 * `ProcessPoolExecutor`: Python's `concurrent.futures.ProcessPoolExecutor` on any start method. It
 * runs on a Pool's engine (the same scheduler, workers and lifecycle policy) with two differences,
 * as in Python: each call is a Future that can be cancelled while queued, and a worker that dies
 * abruptly breaks the executor, failing every pending future with BrokenProcessPool.
 */

// biome-ignore lint/suspicious/noExplicitAny: any function may be sent as a task
type AnyFunction = (...args: any[]) => unknown;

import { EventEmitter } from 'node:events';
import { BrokenProcessPool, MprocTypeError, PoolNotRunningError } from '../errors.js';
import { Job } from '../pool/job.js';
import { Pool, SCHEDULER } from '../pool/pool.js';
import type { PoolEvents } from '../pool/pool-events.js';
import type { PoolStats } from '../pool/pool-stats.js';
import { Progress } from '../pool/progress.js';
import type { Scheduler } from '../pool/scheduler.js';
import { abortErrorFor, onAbort } from '../pool/submit-options.js';
import type { RunMode } from '../protocol/messages.js';
import type { Outcome } from '../results/async-result.js';
import { type FunctionHandle, functionHandle } from '../serialize/function-handle.js';
import { type ProcessPoolExecutorOptions, toPoolOptions } from './executor-options.js';
import { ABORT, FAILED, Future, ON_DONE, SETTLE } from './future.js';
import { type ExecutorMapOptions, parseMapArguments } from './map-arguments.js';
import { ExecutorMapIterator } from './map-iterator.js';
import type { Input } from './zip.js';

export type { ProcessPoolExecutorOptions } from './executor-options.js';
export type { ExecutorMapOptions } from './map-arguments.js';

/**
 * Options of `submit`, given as its last argument. Only an object whose one key is `signal` (an
 * AbortSignal, or undefined) is taken as options; any other last argument is an argument of `fn`.
 */
export interface ExecutorSubmitOptions {
  /** Aborting it cancels the future while queued, or stops its task by replacing its worker. */
  readonly signal?: AbortSignal | undefined;
}

/** Options of `shutdown()`, Python's `wait` and `cancel_futures`. */
export interface ShutdownOptions {
  /** Resolve only once the pending futures are done and the workers have exited; default true. */
  readonly wait?: boolean;
  /** Cancel the futures no worker has taken yet; default false. */
  readonly cancelFutures?: boolean;
}

/**
 * Python's `concurrent.futures.ProcessPoolExecutor`: `submit` returns a Future, `map` yields results
 * in input order, `shutdown` (or `await using`) ends it. A worker that dies breaks the executor
 * (BrokenProcessPool), as in Python; a Pool replaces it instead. It is also an EventEmitter of the
 * pool's events (PoolEvents), as `Pool` is.
 *
 * @example
 * ```ts
 * import { ProcessPoolExecutor, isMainProcess } from '@mproc/core';
 *
 * export function square(n: number): number {
 *   return n * n;
 * }
 *
 * async function main(): Promise<void> {
 *   await using executor = new ProcessPoolExecutor({ maxWorkers: 2 });
 *   console.log(await executor.submit(square, 7).result()); // 49
 *   for await (const value of executor.map(square, [1, 2, 3])) console.log(value); // 1 4 9
 * }
 *
 * if (isMainProcess()) void main();
 * ```
 */
export class ProcessPoolExecutor extends EventEmitter<PoolEvents> implements AsyncDisposable {
  readonly #pool: Pool;
  readonly #scheduler: Scheduler;
  /** Futures whose job has not settled, for shutdown({ cancelFutures }). */
  readonly #pending = new Set<{ cancel(): boolean }>();
  #shutDown = false;
  #cancelling = false;

  /**
   * Starts `maxWorkers` workers.
   * @throws TypeError / RangeError naming an invalid option.
   */
  constructor(options: ProcessPoolExecutorOptions = {}) {
    super();
    const poolOptions = toPoolOptions(options, 'ProcessPoolExecutor');
    this.#pool = new Pool(poolOptions, {
      brokenError: BrokenProcessPool,
      breakOnWorkerDeath: true,
      emitter: this,
    });
    this.#scheduler = this.#pool[SCHEDULER];
  }

  /** A snapshot of the workers and tasks, as `Pool.stats()`; a `map` chunk counts as one task. */
  stats(): PoolStats {
    return this.#scheduler.stats();
  }

  /**
   * Schedules `fn(...args)` on a worker. After shutdown() the future fails with PoolNotRunningError,
   * once a worker died abruptly with BrokenProcessPool (Python raises both at the call), beyond
   * `maxQueue` waiting futures with QueueFullError. A last argument `{ signal }` is taken as options
   * (ExecutorSubmitOptions): aborting the signal cancels the future while it is queued, and stops a
   * running one by replacing its worker (it fails with AbortError).
   * @throws TypeError for a function that cannot be sent.
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Future<Awaited<R>>;
  submit<A extends unknown[], R>(
    fn: (...args: A) => R,
    ...argsAndOptions: [...A, ExecutorSubmitOptions]
  ): Future<Awaited<R>>;
  submit<R>(fn: AnyFunction, ...argsAndOptions: unknown[]): Future<Awaited<R>> {
    const what = 'ProcessPoolExecutor.submit';
    const handle = functionHandle(fn, what);
    const last = argsAndOptions[argsAndOptions.length - 1];
    const options = isSubmitOptions(last) ? last : undefined;
    const args = options ? argsAndOptions.slice(0, -1) : argsAndOptions;
    const refused = this.#refusal(what);
    if (refused) return Future.failed(refused);
    const signal = options?.signal;
    return this.#submit<Awaited<R>>(handle, 'call', args, 0, signal, true);
  }

  /**
   * `fn(a, b, ...)` for each tuple of the zipped `iterables` (shortest wins), yielded in input order.
   * Every call is scheduled from this call on; the last argument may be `{ timeout, chunksize }`.
   * @throws (at the call) TypeError / RangeError for invalid arguments; (from the iteration)
   *   PoolNotRunningError after shutdown(), BrokenProcessPool, the task's error, TimeoutError when the
   *   next result is not ready `timeout` ms after this call, CancelledError after shutdown({ cancelFutures }).
   */
  map<A, R>(
    fn: (a: A) => R,
    iterable: Input<A>,
    options?: ExecutorMapOptions,
  ): AsyncIterableIterator<Awaited<R>>;
  map<A, B, R>(
    fn: (a: A, b: B) => R,
    first: Input<A>,
    second: Input<B>,
    options?: ExecutorMapOptions,
  ): AsyncIterableIterator<Awaited<R>>;
  map<A, B, C, R>(
    fn: (a: A, b: B, c: C) => R,
    first: Input<A>,
    second: Input<B>,
    third: Input<C>,
    options?: ExecutorMapOptions,
  ): AsyncIterableIterator<Awaited<R>>;
  map<R>(fn: AnyFunction, ...iterablesAndOptions: unknown[]): AsyncIterableIterator<Awaited<R>> {
    const what = 'ProcessPoolExecutor.map';
    const handle = functionHandle(fn, what);
    const parsed = parseMapArguments(iterablesAndOptions, what);
    const refused = this.#refusal(what);
    if (refused) return rejectingIterator(refused);
    const { signal } = parsed;
    if (signal?.aborted) return rejectingIterator(abortErrorFor(signal));
    let offset = 0;
    const progress = Progress.for(parsed.onProgress);
    return new ExecutorMapIterator<Awaited<R>>({
      ...parsed,
      what,
      progress,
      // The iterator listens to the signal once for all its chunks.
      submit: (chunk) => {
        const future = this.#submit<unknown[]>(handle, 'starmap', chunk, offset, signal, false);
        offset += chunk.length;
        if (progress) {
          progress.read(chunk.length);
          future[ON_DONE](() => {
            if (!future.cancelled() && !future[FAILED]) progress.finished(chunk.length);
          });
        }
        return future;
      },
      openCall: () => this.#scheduler.openCall(),
    });
  }

  /**
   * Takes no more work; the workers exit once the pending futures are done. With `wait` (default)
   * resolves after that; with `cancelFutures` the futures no worker has taken yet are cancelled.
   * @throws TypeError naming an invalid option.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    const { wait = true, cancelFutures = false } = parseShutdownOptions(options);
    this.#shutDown = true;
    if (cancelFutures) {
      this.#cancelling = true;
      for (const future of [...this.#pending]) future.cancel();
    }
    this.#pool.close();
    return wait ? this.#pool.join() : Promise.resolve();
  }

  /** `await using executor = ...` shuts down and waits when the block ends, as Python's `with`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ wait: true });
  }

  /** Why no new work is taken, or undefined; a broken executor says so first, as in Python. */
  #refusal(what: string): Error | undefined {
    if (this.#shutDown && this.#scheduler.state !== 'broken') {
      return new PoolNotRunningError(`${what}: cannot schedule new futures after shutdown`);
    }
    return this.#scheduler.refusal(what);
  }

  /**
   * Submits one job as a future. With a `signal`, the job may be stopped while it runs (so it runs
   * alone on its worker, as a Pool task with a signal does); `listen`: this future listens to the
   * signal itself (map's iterator listens once for all its chunks instead).
   */
  #submit<R>(
    handle: FunctionHandle,
    mode: RunMode,
    args: readonly unknown[],
    offset: number,
    signal?: AbortSignal,
    listen = false,
  ): Future<R> {
    if (signal?.aborted) return Future.aborted(signal);
    const scheduler = this.#scheduler;
    const pending = this.#pending;
    let detach: (() => void) | undefined;
    let job: Job;
    try {
      job = new Job({
        fn: handle,
        mode,
        items: args,
        timeout: undefined,
        stoppable: signal !== undefined,
        offset,
        onSettled: (outcome) => {
          detach?.();
          pending.delete(future);
          future[SETTLE](outcome as Outcome<R>);
        },
      });
    } catch (error) {
      // As in Pool.applyAsync: arguments that throw while walked (a getter) fail this future only.
      return Future.failed(error as Error);
    }
    const future: Future<R> = new Future<R>({
      get state() {
        return job.state;
      },
      drop: (error) => scheduler.cancel(job, error),
      stop: (error) => scheduler.cancel(job, error),
    });
    pending.add(future);
    // Listening before submitting: a job refused at once (maxQueue) detaches in its onSettled.
    if (signal && listen) detach = onAbort(signal, () => future[ABORT](signal));
    scheduler.submit(job);
    // A map reading an async input after shutdown({ cancelFutures }): its new chunks are cancelled too.
    if (this.#cancelling) future.cancel();
    return future;
  }
}

/** A last argument of `submit` that is its options: a plain object whose one key is `signal`. */
function isSubmitOptions(value: unknown): value is ExecutorSubmitOptions {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'signal') return false;
  const { signal } = value as { signal: unknown };
  return signal === undefined || signal instanceof AbortSignal;
}

/** An iterator whose first next() rejects with `error`, then ends. */
function rejectingIterator<R>(error: Error): AsyncIterableIterator<R> {
  let failed = false;
  return {
    next: async () => {
      if (failed) return { done: true, value: undefined };
      failed = true;
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function parseShutdownOptions(options: ShutdownOptions): ShutdownOptions {
  const what = 'ProcessPoolExecutor.shutdown';
  if (typeof options !== 'object' || options === null)
    throw new MprocTypeError(`${what}: options must be an object`);
  for (const [key, value] of Object.entries(options)) {
    if (key !== 'wait' && key !== 'cancelFutures')
      throw new MprocTypeError(`${what}: unknown option '${key}'`);
    if (value !== undefined && typeof value !== 'boolean') {
      throw new MprocTypeError(`${what}: option '${key}' must be a boolean`);
    }
  }
  return options;
}
