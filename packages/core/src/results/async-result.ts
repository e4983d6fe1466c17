/**
 * The handle of a submitted call, as Python's `AsyncResult`: poll it (`ready`, `successful`), wait
 * for it with a bound (`wait`, `get`), or await it. An outcome nobody asks for is never reported as
 * an unhandled rejection: promises are made only when someone waits.
 */
import { InvalidStateError, TimeoutError } from '../errors.js';

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

export class AsyncResult<R> implements PromiseLike<R> {
  #outcome: Outcome<R> | undefined;
  #waiters: Array<() => void> = [];
  readonly #callbacks: ResultCallbacks<R>;

  /** @internal Made by the pool, which settles it through `SETTLE`. */
  constructor(callbacks: ResultCallbacks<R> = {}) {
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
  wait(timeout?: number): Promise<boolean> {
    if (this.#outcome) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer =
        timeout === undefined ? undefined : setTimeout(() => resolve(false), Math.max(0, timeout));
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * The call's value.
   * @throws the task's error; TimeoutError when not ready within `timeout` ms (the task goes on).
   */
  async get(timeout?: number): Promise<R> {
    if (!(await this.wait(timeout))) {
      throw new TimeoutError(`the result was not ready within ${timeout} ms`);
    }
    const outcome = this.#outcome as Outcome<R>;
    if (outcome.ok) return outcome.value;
    throw outcome.error;
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
      if (outcome.ok) this.#callbacks.callback?.(outcome.value);
      else this.#callbacks.errorCallback?.(outcome.error);
    } catch (error) {
      // A throwing callback is the user's bug: report it as Node reports a throwing listener.
      queueMicrotask(() => {
        throw error;
      });
    } finally {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const wake of waiters) wake();
    }
  }
}
