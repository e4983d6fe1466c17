/**
 * `Pool`: Python's `multiprocessing.Pool` on any start method. This file turns each public call into
 * jobs for the scheduler and settles the call's result from the jobs' outcomes; the scheduler owns
 * workers and queues.
 */

// biome-ignore lint/suspicious/noExplicitAny: any function may be sent as a task
type AnyFunction = (...args: any[]) => unknown;

import { EventEmitter } from 'node:events';
import { loadBackend } from '../backend-registry.js';
import { BootstrapError, BrokenPoolError, MprocRangeError, MprocTypeError } from '../errors.js';
import { mainModuleUrl } from '../main-module.js';
import { isImportingMain } from '../process-info.js';
import type { RunMode } from '../protocol/messages.js';
import { AsyncResult, type Outcome, type ResultCallbacks, SETTLE } from '../results/async-result.js';
import { type FunctionHandle, functionHandle } from '../serialize/function-handle.js';
import { getStartMethod } from '../start-method.js';
import { chunks, collect, defaultChunksize, isAsyncIterable, isIterable } from './chunking.js';
import { ImapIterator } from './imap-iterator.js';
import { Job } from './job.js';
import { emitLater, type PoolEvents } from './pool-events.js';
import { type PoolOptions, resolvePoolOptions } from './pool-options.js';
import type { PoolStats } from './pool-stats.js';
import { checkProgressListener, Progress, type ProgressListener } from './progress.js';
import { Scheduler } from './scheduler.js';
import {
  abortErrorFor,
  onAbort,
  parseSubmitOptions,
  type SubmitLimits,
  type SubmitOptions,
} from './submit-options.js';

export type { PoolOptions } from './pool-options.js';
export type { MapProgress, ProgressListener } from './progress.js';
export type { SubmitOptions } from './submit-options.js';

/** The options a call takes besides `signal` and `timeout`. */
const CALLBACK_KEYS = ['callback', 'errorCallback'];
const MAP_KEYS = ['chunksize', 'onProgress', ...CALLBACK_KEYS];

/** Options of `map`-like calls: `chunksize` and `onProgress`, plus `signal` and `timeout`. */
export interface MapOptions extends SubmitOptions {
  /** Items per task sent to a worker; default as Python's: about four chunks per worker for `map`/`starmap`, 1 for `imap`. */
  readonly chunksize?: number;
  /**
   * Called with `{ done, total }` as results arrive: items done so far, and the number of items once
   * the input has been read to its end (undefined before). At most once per microtask turn; the last
   * report of a `map` that succeeds has `done === total` and comes before its result.
   */
  readonly onProgress?: ProgressListener;
}

type Input<T> = Iterable<T> | AsyncIterable<T>;
type Task<A extends unknown[], R> = (...args: A) => R;

/** Internal hooks for ProcessPoolExecutor, which shares this engine. */
export interface PoolInternals {
  readonly brokenError?: typeof BrokenPoolError;
  /** See SchedulerOptions.breakOnWorkerDeath. */
  readonly breakOnWorkerDeath?: boolean;
  /** Where the pool's events go (the executor's own emitter); default: the pool. */
  readonly emitter?: EventEmitter<PoolEvents>;
}

/** Reads a pool's scheduler, for ProcessPoolExecutor, which submits its own jobs to it. */
export const SCHEDULER: unique symbol = Symbol('mproc.scheduler');

function parseMapArguments(
  chunksizeOrOptions: number | MapOptions | undefined,
  options: MapOptions | undefined,
  what: string,
): { chunksize: number | undefined; limits: SubmitLimits; onProgress: ProgressListener | undefined } {
  const merged: MapOptions | undefined =
    typeof chunksizeOrOptions === 'number'
      ? { ...options, chunksize: chunksizeOrOptions }
      : (chunksizeOrOptions ?? options);
  const limits = parseSubmitOptions(merged, what, MAP_KEYS);
  const chunksize = merged?.chunksize;
  if (chunksize !== undefined && !(Number.isInteger(chunksize) && chunksize >= 1)) {
    throw new MprocRangeError(`${what}: chunksize must be an integer ≥ 1, got ${chunksize}`);
  }
  return { chunksize, limits, onProgress: checkProgressListener(merged?.onProgress, what) };
}

function assertIterable(iterable: unknown, what: string): void {
  if (!isIterable(iterable) && !isAsyncIterable(iterable)) {
    throw new MprocTypeError(`${what}: the input must be an iterable or an async iterable`);
  }
}

/**
 * Python's `multiprocessing.Pool`: workers of one start method that run a function over many
 * inputs (`map`, `imap`, `starmap`) or one call at a time (`apply`, `applyAsync`). It is also an
 * EventEmitter of PoolEvents (`worker-start`, `worker-exit`, `task-error`, `drain`), as piscina's and
 * tinypool's pools are; see docs/pool-features.md.
 *
 * A function reaches the workers by reference when it is exported from the main script or from a
 * module in the `modules` option, or wrapped with `task(fn)`; otherwise as source text.
 *
 * @example
 * ```ts
 * import { Pool, isMainProcess } from '@mproc/core';
 *
 * export function square(n: number): number {
 *   return n * n;
 * }
 *
 * async function main(): Promise<void> {
 *   await using pool = new Pool({ processes: 4 });
 *   console.log(await pool.map(square, [1, 2, 3])); // [1, 4, 9]
 *   for await (const value of pool.imapUnordered(square, [4, 5])) console.log(value);
 *   console.log(await pool.applyAsync(square, [6]).get(5_000)); // 36
 * }
 *
 * if (isMainProcess()) void main();
 * ```
 */
export class Pool extends EventEmitter<PoolEvents> implements AsyncDisposable {
  readonly #scheduler: Scheduler;
  readonly #processes: number;

  /**
   * Starts `processes` workers (or `minProcesses`, in a pool that grows and shrinks).
   * @throws TypeError / RangeError naming an invalid option; BootstrapError when called while a
   *   worker imports the main module (guard the main module's top level with `isMainProcess()`).
   */
  constructor(options?: PoolOptions);
  /** @internal ProcessPoolExecutor's pool: its broken error, and breaking on a worker's death. */
  constructor(options: PoolOptions | undefined, internals: PoolInternals);
  constructor(options: PoolOptions = {}, internals: PoolInternals = {}) {
    super();
    if (isImportingMain()) {
      throw new BootstrapError(
        'a worker tried to start a pool while importing the main module: guard the top level of your script with ' +
          '`if (isMainProcess()) { ... }` (Python spells it `if __name__ == "__main__":`)',
      );
    }
    const resolved = resolvePoolOptions(options);
    this.#processes = resolved.processes;
    const initializer = resolved.initializer && functionHandle(resolved.initializer, 'Pool initializer');
    const backend = resolved.context ? resolved.context.backend() : loadBackend(getStartMethod());
    const emitter = internals.emitter ?? this;
    this.#scheduler = new Scheduler(
      {
        processes: resolved.processes,
        minProcesses: resolved.minProcesses,
        idleTimeout: resolved.idleTimeout,
        maxTasksPerChild: resolved.maxTasksPerChild,
        maxQueue: resolved.maxQueue,
        initializer,
        initArgs: resolved.initArgs,
        modules: resolved.modules,
        mainModule: mainModuleUrl(),
        env: resolved.env,
        execArgv: resolved.execArgv,
        executable: resolved.context?.getExecutable(),
        resourceLimits: resolved.resourceLimits,
        brokenError: internals.brokenError ?? BrokenPoolError,
        breakOnWorkerDeath: internals.breakOnWorkerDeath ?? false,
        emit: (name, ...args) => emitLater(emitter, name, ...args),
      },
      backend,
    );
  }

  /** The number of workers: the most, in a pool that grows and shrinks (`maxProcesses`). */
  get processes(): number {
    return this.#processes;
  }

  /** @internal The engine, for ProcessPoolExecutor. */
  get [SCHEDULER](): Scheduler {
    return this.#scheduler;
  }

  /** The idents of the live workers (pids; threadIds on threads). */
  get workers(): readonly number[] {
    return this.#scheduler.idents;
  }

  /**
   * A snapshot of the workers and tasks: counts, run and wait times, utilization (see PoolStats).
   * Cheap to keep: counters and fixed-size summaries, whatever the number of tasks.
   */
  stats(): PoolStats {
    return this.#scheduler.stats();
  }

  /** Runs `fn(...args)` in a worker. @throws the task's error. */
  apply<A extends unknown[], R>(fn: Task<A, R>, args?: A, options?: SubmitOptions): Promise<Awaited<R>> {
    return this.applyAsync(fn, args, options).get();
  }

  /**
   * Runs `fn(...args)` in a worker and returns its AsyncResult at once. A pool that takes no more
   * work (closed, terminated or broken) returns a result that fails with PoolNotRunningError or the
   * BrokenPoolError.
   * @throws TypeError for a function that cannot be sent or arguments that are not an array.
   */
  applyAsync<A extends unknown[], R>(
    fn: Task<A, R>,
    args?: A,
    options?: SubmitOptions & ResultCallbacks<Awaited<R>>,
  ): AsyncResult<Awaited<R>> {
    const what = 'Pool.applyAsync';
    const handle = functionHandle(fn, what);
    if (args !== undefined && !Array.isArray(args))
      throw new MprocTypeError(`${what}: args must be an array`);
    const { signal, timeout } = parseSubmitOptions(options, what, CALLBACK_KEYS);
    const result = new AsyncResult<Awaited<R>>(options);
    const refused = this.#scheduler.refusal(what) ?? (signal?.aborted ? abortErrorFor(signal) : undefined);
    if (refused) {
      result[SETTLE]({ ok: false, error: refused });
      return result;
    }
    // Lean on purpose: a pool may hold tens of thousands of pending calls.
    let detach: (() => void) | undefined;
    let job: Job;
    try {
      job = new Job({
        fn: handle,
        mode: 'call',
        items: args ?? [],
        timeout,
        stoppable: signal !== undefined,
        offset: 0,
        onSettled: (outcome) => {
          detach?.();
          result[SETTLE](outcome as Outcome<Awaited<R>>);
        },
      });
    } catch (error) {
      // Walking the arguments for shared objects (once this process has made one) reads every
      // property, so a throwing getter throws here; it must reject this call, as it does when the
      // arguments are cloned later, not throw at the call (found by the reliability grid).
      result[SETTLE]({ ok: false, error });
      return result;
    }
    if (signal) detach = onAbort(signal, () => this.#scheduler.cancel(job, abortErrorFor(signal)));
    this.#scheduler.submit(job);
    return result;
  }

  /** `fn(item)` for each item, in input order. The first error rejects the whole call. */
  map<T, R>(
    fn: (item: T) => R,
    iterable: Input<T>,
    chunksizeOrOptions?: number | MapOptions,
    options?: MapOptions,
  ): Promise<Awaited<R>[]> {
    return this.#mapLike<Awaited<R>>('map', 'Pool.map', fn, iterable, chunksizeOrOptions, options).get();
  }

  /**
   * `map` without waiting: the AsyncResult of the whole list (Python's `map_async`), with
   * `callback`/`errorCallback` run in the parent once it settles.
   */
  mapAsync<T, R>(
    fn: (item: T) => R,
    iterable: Input<T>,
    options?: MapOptions & ResultCallbacks<Awaited<R>[]>,
  ): AsyncResult<Awaited<R>[]> {
    return this.#mapLike('map', 'Pool.mapAsync', fn, iterable, options, undefined, options);
  }

  /** `fn(...args)` for each args array, in input order. */
  starmap<A extends unknown[], R>(
    fn: Task<A, R>,
    iterable: Input<A>,
    chunksizeOrOptions?: number | MapOptions,
    options?: MapOptions,
  ): Promise<Awaited<R>[]> {
    return this.#mapLike<Awaited<R>>(
      'starmap',
      'Pool.starmap',
      fn,
      iterable,
      chunksizeOrOptions,
      options,
    ).get();
  }

  /** `starmap` without waiting: the AsyncResult of the whole list (Python's `starmap_async`). */
  starmapAsync<A extends unknown[], R>(
    fn: Task<A, R>,
    iterable: Input<A>,
    options?: MapOptions & ResultCallbacks<Awaited<R>[]>,
  ): AsyncResult<Awaited<R>[]> {
    return this.#mapLike('starmap', 'Pool.starmapAsync', fn, iterable, options, undefined, options);
  }

  /** Lazy `map`: results in input order, each as soon as it and those before it are done. */
  imap<T, R>(
    fn: (item: T) => R,
    iterable: Input<T>,
    chunksizeOrOptions?: number | MapOptions,
    options?: MapOptions,
  ): AsyncIterableIterator<Awaited<R>> {
    return this.#imapLike(true, 'Pool.imap', fn, iterable, chunksizeOrOptions, options);
  }

  /** Lazy `map`: results in completion order. */
  imapUnordered<T, R>(
    fn: (item: T) => R,
    iterable: Input<T>,
    chunksizeOrOptions?: number | MapOptions,
    options?: MapOptions,
  ): AsyncIterableIterator<Awaited<R>> {
    return this.#imapLike(false, 'Pool.imapUnordered', fn, iterable, chunksizeOrOptions, options);
  }

  /** Takes no more tasks; workers exit once the queued work is done. */
  close(): void {
    this.#scheduler.close();
  }

  /**
   * Resolves once every worker has exited.
   * @throws InvalidStateError (as a rejection) unless close() or terminate() was called.
   */
  join(): Promise<void> {
    return this.#scheduler.join();
  }

  /** Stops the workers now; unfinished tasks reject with PoolNotRunningError. */
  terminate(): Promise<void> {
    return this.#scheduler.terminate();
  }

  /** `await using pool = ...` terminates the pool when the block ends, as Python's `with`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate();
  }

  #mapLike<R>(
    mode: RunMode,
    what: string,
    fn: AnyFunction,
    iterable: Input<unknown>,
    chunksizeOrOptions: number | MapOptions | undefined,
    options: MapOptions | undefined,
    callbacks: ResultCallbacks<R[]> = {},
  ): AsyncResult<R[]> {
    const handle = functionHandle(fn, what);
    assertIterable(iterable, what);
    const { chunksize, limits, onProgress } = parseMapArguments(chunksizeOrOptions, options, what);
    const progress = Progress.for(onProgress);
    const result = new AsyncResult<R[]>(callbacks);
    const refused = this.#scheduler.refusal(what);
    if (refused) {
      result[SETTLE]({ ok: false, error: refused });
      return result;
    }
    const closeCall = this.#scheduler.openCall();
    const jobs = new Set<Job>();
    const fail = (error: unknown) => {
      result[SETTLE]({ ok: false, error });
      // The call has failed: queued chunks are dropped, running ones finish unobserved.
      for (const job of jobs) if (job.state === 'queued') this.#scheduler.cancel(job, error as Error);
    };
    const detach = onAbort(limits.signal, () => {
      const error = abortErrorFor(limits.signal as AbortSignal);
      result[SETTLE]({ ok: false, error });
      for (const job of jobs) this.#scheduler.cancel(job, error);
    });
    collect(iterable)
      .then((items) => {
        if (result.ready()) return;
        if (limits.signal?.aborted) return fail(abortErrorFor(limits.signal));
        progress?.read(items.length);
        progress?.inputEnded();
        this.#submitChunks(handle, mode, items, chunksize, limits, jobs, result, fail, progress);
      })
      .catch(fail)
      .finally(() => {
        closeCall();
        if (result.ready()) detach();
        else result.wait().then(detach);
      });
    return result;
  }

  #submitChunks<R>(
    handle: FunctionHandle,
    mode: RunMode,
    items: unknown[],
    chunksize: number | undefined,
    limits: SubmitLimits,
    jobs: Set<Job>,
    result: AsyncResult<R[]>,
    fail: (error: unknown) => void,
    progress: Progress | undefined,
  ): void {
    const results: (readonly unknown[])[] = [];
    const pending: Job[] = [];
    let remaining = 0;
    const size = chunksize ?? defaultChunksize(items.length, this.#processes);
    for (const chunk of chunks(items, size)) {
      const index = results.push([]) - 1;
      const job: Job = new Job({
        fn: handle,
        mode,
        items: chunk.items,
        timeout: limits.timeout,
        stoppable: limits.signal !== undefined,
        offset: chunk.offset,
        onSettled: (outcome) => {
          jobs.delete(job);
          if (!outcome.ok) return fail(outcome.error);
          results[index] = outcome.value as readonly unknown[];
          progress?.finished(chunk.items.length);
          if (--remaining === 0) result[SETTLE]({ ok: true, value: joinChunks(results) as R[] });
        },
      });
      pending.push(job);
      remaining++;
    }
    if (remaining === 0) {
      result[SETTLE]({ ok: true, value: [] });
      return;
    }
    // `jobs` holds only submitted jobs: those are what a failure or an abort cancels in the scheduler.
    // Once a chunk has failed (refused by maxQueue, or unsendable), the rest are not submitted.
    for (const job of pending) {
      if (result.ready()) break;
      jobs.add(job);
      this.#scheduler.submit(job);
    }
  }

  #imapLike<R>(
    ordered: boolean,
    what: string,
    fn: AnyFunction,
    iterable: Input<unknown>,
    chunksizeOrOptions: number | MapOptions | undefined,
    options: MapOptions | undefined,
  ): AsyncIterableIterator<R> {
    const handle = functionHandle(fn, what);
    assertIterable(iterable, what);
    const { chunksize, limits, onProgress } = parseMapArguments(chunksizeOrOptions, options, what);
    // A pool that takes no more work makes the first next() reject (see ImapIterator).
    return new ImapIterator<R>({
      scheduler: this.#scheduler,
      fn: handle,
      iterable,
      chunksize: chunksize ?? 1,
      ordered,
      limits,
      what,
      progress: Progress.for(onProgress),
    });
  }
}

/** Arguments per `concat` call, far below the engine's limit on arguments. */
const CONCAT_ARGUMENTS = 4096;

/**
 * The chunks' results as one array. `concat` copies each chunk at once and makes a fast array, where
 * writing 200,000 items into `new Array(n)` makes a dictionary-backed one (V8 does so past 100,000).
 */
function joinChunks(results: readonly (readonly unknown[])[]): unknown[] {
  const groups: unknown[][] = [];
  for (let start = 0; start < results.length; start += CONCAT_ARGUMENTS) {
    groups.push(([] as unknown[]).concat(...results.slice(start, start + CONCAT_ARGUMENTS)));
  }
  return groups.length === 1 ? (groups[0] as unknown[]) : ([] as unknown[]).concat(...groups);
}
