/** The handle of a Pool call that has been submitted (Python's `AsyncResult`). */
import { InvalidStateError, TimeoutError } from '../errors.js';
import { checkTimeout } from '../timeout-option.js';

/** `callback` and `errorCallback` of `applyAsync`, `mapAsync` and `starmapAsync`, as Python's. */
export interface ResultCallbacks<R> {
  /** Runs in the parent, once, with the value, before `get()` resolves. */
  readonly callback?: (value: R) => void;
  /** Runs in the parent, once, with the error, before `get()` rejects. */
  readonly errorCallback?: (error: unknown) => void;
}

/** Settles an AsyncResult; kept off the public surface. */
export const SETTLE: unique symbol = Symbol('mproc.settle');

export type Outcome<R> =
  | { readonly ok: true; readonly value: R }
  | { readonly ok: false; readonly error: unknown };

/**
 * The handle of a submitted call, as Python's `AsyncResult` (from `applyAsync`, `mapAsync`,
 * `starmapAsync`): poll it (`ready`, `successful`), wait for it with a bound (`wait`, `get`), or
 * await it. An outcome nobody asks for is never reported as an unhandled rejection: promises are
 * made only when someone waits.
 *
 * @example
 * ```ts
 * const result = pool.applyAsync(square, [7]);
 * if (!result.ready()) await result.wait(1_000);
 * console.log(await result.get(5_000)); // 49, or TimeoutError after 5 s
 * console.log(await pool.applyAsync(square, [8])); // 64: it is also awaitable
 * ```
 */
export class AsyncResult<R> implements PromiseLike<R> {
  #outcome: Outcome<R> | undefined;
  /** Made on the first wait: a pool may hold tens of thousands of pending results. */
  #waiters: Array<() => void> | undefined;
  readonly #callbacks: ResultCallbacks<R> | undefined;
  /** What `get()` without a timeout returns while pending: one promise, however many ask. */
  #pending:
    | { promise: Promise<R>; resolve: (value: R) => void; reject: (error: unknown) => void }
    | undefined;

  /** @internal Made by the pool, which settles it through `SETTLE`. */
  constructor(callbacks?: ResultCallbacks<R>) {
    this.#callbacks = callbacks;
  }

  /** True once the call has finished, successfully or not. */
  ready(): boolean {
    return this.#outcome !== undefined;
  }

  /**
   * True when the call finished without an error.
   * @throws InvalidStateError when the call has not finished.
   */
  successful(): boolean {
    if (!this.#outcome) throw new InvalidStateError('AsyncResult.successful(): the result is not ready');
    return this.#outcome.ok;
  }

  /** Resolves once the result is ready, or after `timeout` ms; true when it is ready. */
  wait(timeout?: number | null): Promise<boolean> {
    const limit = checkTimeout(timeout, 'AsyncResult.wait(timeout)');
    if (this.#outcome) return Promise.resolve(true);
    return new Promise((resolve) =>
      this.#whenSettled(
        () => resolve(true),
        limit,
        () => resolve(false),
      ),
    );
  }

  /**
   * The call's value.
   * @throws the task's error; TimeoutError when not ready within `timeout` ms (the task goes on);
   *   TypeError / RangeError (at the call) for an invalid timeout.
   */
  get(timeout?: number | null): Promise<R> {
    const limit = checkTimeout(timeout, 'AsyncResult.get(timeout)');
    if (this.#outcome) return this.#deliver();
    if (limit === undefined) {
      if (!this.#pending) {
        let resolve!: (value: R) => void;
        let reject!: (error: unknown) => void;
        const promise = new Promise<R>((onValue, onError) => {
          resolve = onValue;
          reject = onError;
        });
        this.#pending = { promise, resolve, reject };
      }
      return this.#pending.promise;
    }
    return new Promise<R>((resolve, reject) =>
      this.#whenSettled(
        () => {
          const outcome = this.#outcome as Outcome<R>;
          if (outcome.ok) resolve(outcome.value);
          else reject(outcome.error);
        },
        limit,
        () => reject(new TimeoutError(`the result was not ready within ${limit} ms`)),
      ),
    );
  }

  then<T1 = R, T2 = never>(
    onFulfilled?: ((value: R) => T1 | PromiseLike<T1>) | null,
    onRejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null,
  ): Promise<T1 | T2> {
    return this.get().then(onFulfilled, onRejected);
  }

  /** @internal Called once by the pool with the call's outcome; later calls are ignored. */
  [SETTLE](outcome: Outcome<R>): void {
    if (this.#outcome) return;
    this.#outcome = outcome;
    // Callbacks run before any waiter resumes, as Python runs them before get() returns.
    try {
      if (outcome.ok) this.#callbacks?.callback?.(outcome.value);
      else this.#callbacks?.errorCallback?.(outcome.error);
    } catch (error) {
      // A throwing callback is the user's bug: report it as Node reports a throwing listener.
      queueMicrotask(() => {
        throw error;
      });
    } finally {
      if (outcome.ok) this.#pending?.resolve(outcome.value);
      else this.#pending?.reject(outcome.error);
      const waiters = this.#waiters;
      this.#waiters = undefined;
      if (waiters) for (const wake of waiters) wake();
    }
  }

  /** The settled outcome as a promise. */
  #deliver(): Promise<R> {
    const outcome = this.#outcome as Outcome<R>;
    return outcome.ok ? Promise.resolve(outcome.value) : Promise.reject(outcome.error);
  }

  /** Calls `wake` once settled, or `expire` after `timeout` ms if that comes first. */
  #whenSettled(wake: () => void, timeout: number | undefined, expire: () => void): void {
    this.#waiters ??= [];
    const waiters = this.#waiters;
    if (timeout === undefined) {
      waiters.push(wake);
      return;
    }
    const waiter = () => {
      clearTimeout(timer);
      wake();
    };
    const timer = setTimeout(
      () => {
        const index = waiters.indexOf(waiter);
        if (index >= 0) waiters.splice(index, 1);
        expire();
      },
      Math.max(0, timeout),
    );
    waiters.push(waiter);
  }
}
