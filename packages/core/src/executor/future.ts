/** The handle of one call submitted to a ProcessPoolExecutor (Python's `Future`). */
import { CancelledError, MprocTypeError, TimeoutError } from '../errors.js';
import type { JobState } from '../pool/job.js';
import { abortErrorFor } from '../pool/submit-options.js';
import type { Outcome } from '../results/async-result.js';
import { checkTimeout } from '../timeout-option.js';
import { until } from './timeout.js';

/** What a Future needs from the job behind it. */
export interface FutureTask {
  /** The job's state: 'running' once a worker has it. */
  readonly state: JobState;
  /** Drops the queued job; called only while it is queued. */
  drop(error: CancelledError): void;
  /** Stops the running job by replacing its worker (its call has an AbortSignal); called only while it runs. */
  stop?(error: Error): void;
}

/** Settles a Future; kept off the public surface. */
export const SETTLE: unique symbol = Symbol('mproc.future.settle');
/** Calls a listener once the future is done; returns the function that detaches it. */
export const ON_DONE: unique symbol = Symbol('mproc.future.onDone');
/** True when the future finished with an error (not when it was cancelled). */
export const FAILED: unique symbol = Symbol('mproc.future.failed');
/** Aborts the future for its AbortSignal: cancels it while queued, stops it while it runs. */
export const ABORT: unique symbol = Symbol('mproc.future.abort');

/** Done: with the call's outcome, or cancelled (`cause`: the reason of the signal that did it). */
type Done<R> = Outcome<R> | { readonly cancelled: true; readonly cause?: unknown };

/**
 * Python's `concurrent.futures.Future`, the handle of one call submitted to a ProcessPoolExecutor.
 * It is pending (queued or running on a worker), then done: finished with a value or an error, or
 * cancelled before a worker took it. As with AsyncResult, an outcome nobody asks for is never
 * reported as an unhandled rejection: promises are made only when someone waits.
 *
 * @example
 * ```ts
 * const future = executor.submit(square, 7);
 * future.addDoneCallback((done) => console.log('done', done.done())); // runs in this process
 * console.log(await future.result(5_000)); // 49, or TimeoutError after 5 s
 * console.log(executor.submit(square, 8).cancel()); // true only while no worker took it
 * ```
 */
export class Future<R = unknown> implements PromiseLike<R> {
  readonly #task: FutureTask;
  #done: Done<R> | undefined;
  #listeners = new Set<() => void>();
  // Callbacks are kept bound to this future, so Future<R> stays covariant in R.
  #callbacks: Array<() => void> = [];

  /** @internal Made by ProcessPoolExecutor, which settles it through `SETTLE`. */
  constructor(task: FutureTask) {
    this.#task = task;
  }

  /** @internal A future that failed before any worker could take it (the executor refused it). */
  static failed<R>(error: Error): Future<R> {
    const future = new Future<R>({ state: 'done', drop: () => {} });
    future[SETTLE]({ ok: false, error });
    return future;
  }

  /** @internal A future cancelled before it was submitted: its signal was already aborted. */
  static aborted<R>(signal: AbortSignal): Future<R> {
    const future = new Future<R>({ state: 'queued', drop: () => {} });
    future[ABORT](signal);
    return future;
  }

  /** True once the call finished or was cancelled. */
  done(): boolean {
    return this.#done !== undefined;
  }

  /** True while a worker runs the call. */
  running(): boolean {
    return this.#done === undefined && this.#task.state === 'running';
  }

  /** True when `cancel()` succeeded. */
  cancelled(): boolean {
    return this.#done !== undefined && 'cancelled' in this.#done;
  }

  /**
   * Cancels the call if no worker has taken it yet. Returns true when the future is (now) cancelled,
   * false when it is running or finished.
   */
  cancel(): boolean {
    if (this.#done) return this.cancelled();
    if (this.#task.state !== 'queued') return false;
    // Marked cancelled first, so the job's own settling (with the error below) is ignored.
    this.#finish({ cancelled: true });
    this.#task.drop(new CancelledError('the future was cancelled'));
    return true;
  }

  /**
   * The call's value, once done.
   * @throws the task's error; CancelledError when cancelled; TimeoutError when not done within
   *   `timeout` ms (the task goes on); RangeError for an invalid `timeout`.
   */
  async result(timeout?: number): Promise<R> {
    const done = await this.#await(timeout, 'Future.result');
    if ('cancelled' in done) throw cancelledError(done);
    if (done.ok) return done.value;
    throw done.error;
  }

  /**
   * The error the call failed with, or null when it succeeded.
   * @throws CancelledError when cancelled; TimeoutError when not done within `timeout` ms.
   */
  async exception(timeout?: number): Promise<unknown> {
    const done = await this.#await(timeout, 'Future.exception');
    if ('cancelled' in done) throw cancelledError(done);
    return done.ok ? null : done.error;
  }

  /**
   * Calls `fn(future)` once the future is done (at once when it already is), in the order added.
   * A callback that throws is reported as an uncaught exception, as Node reports a throwing listener.
   */
  addDoneCallback(fn: (future: Future<R>) => void): void {
    if (typeof fn !== 'function') throw new MprocTypeError('Future.addDoneCallback: fn must be a function');
    if (this.#done) this.#call(() => fn(this));
    else this.#callbacks.push(() => fn(this));
  }

  then<T1 = R, T2 = never>(
    onFulfilled?: ((value: R) => T1 | PromiseLike<T1>) | null,
    onRejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null,
  ): Promise<T1 | T2> {
    return this.result().then(onFulfilled, onRejected);
  }

  /** @internal Called by the executor with the call's outcome; ignored once done. */
  [SETTLE](outcome: Outcome<R>): void {
    this.#finish(outcome);
  }

  /**
   * @internal For the executor's `signal` option: a queued future is cancelled, as by cancel(), with
   * the signal's reason as the cause of its CancelledError; a running one is stopped by replacing its
   * worker and fails with AbortError, as a Pool task with a signal does; a done one stays as it is.
   */
  [ABORT](signal: AbortSignal): void {
    if (this.#done) return;
    const state = this.#task.state;
    if (state === 'queued') {
      this.#finish({ cancelled: true, cause: signal.reason });
      this.#task.drop(new CancelledError('the future was cancelled by its signal', { cause: signal.reason }));
    } else if (state === 'running') {
      this.#task.stop?.(abortErrorFor(signal));
    }
  }

  /** @internal For wait() and asCompleted(). */
  [ON_DONE](listener: () => void): () => void {
    if (this.#done) {
      listener();
      return () => {};
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** @internal */
  get [FAILED](): boolean {
    return this.#done !== undefined && 'ok' in this.#done && !this.#done.ok;
  }

  #finish(done: Done<R>): void {
    if (this.#done) return;
    this.#done = done;
    const listeners = this.#listeners;
    const callbacks = this.#callbacks;
    this.#listeners = new Set();
    this.#callbacks = [];
    for (const wake of listeners) wake();
    for (const fn of callbacks) this.#call(fn);
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  async #await(timeout: number | undefined, what: string): Promise<Done<R>> {
    const limit = checkTimeout(timeout, what);
    if (!this.#done && !(await until(this[ON_DONE].bind(this), limit))) {
      throw new TimeoutError(`${what}: the future was not done within ${timeout} ms`);
    }
    return this.#done as Done<R>;
  }
}

function cancelledError(done: { readonly cause?: unknown }): CancelledError {
  return 'cause' in done
    ? new CancelledError('the future was cancelled by its signal', { cause: done.cause })
    : new CancelledError('the future was cancelled');
}
