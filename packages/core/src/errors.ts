/**
 * Every error mproc raises. Each class has a stable `code`, and `isInstance()` recognises it by a
 * `Symbol.for` marker so the check works across duplicate copies of this package (e.g. one ESM and
 * one CJS copy in the same process), where `instanceof` would not.
 */

import { inspect } from 'node:util';

const MPROC_ERROR = Symbol.for('mproc.error');

/**
 * A value as an error message shows it: `String()` would throw for an object whose `toString` is not
 * a function, and says nothing of `'1'` against `1`.
 */
export function shown(value: unknown): string {
  return inspect(value, { depth: 1, breakLength: Number.POSITIVE_INFINITY });
}

/** Base class of every mproc error. */
export class MprocError extends Error {
  /** The `code` of this class's errors; each subclass has its own. */
  static readonly code: string = 'ERR_MPROC';
  /** A stable identifier of the failure, e.g. `ERR_MPROC_TIMEOUT`. */
  readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    const ctor = new.target as typeof MprocError;
    this.code = ctor.code;
    this.name = ctor.name;
    Object.defineProperty(this, MPROC_ERROR, { value: true });
  }

  /** True when `value` is this class of error, from any copy of `@mproc/core`. */
  static isInstance<T extends typeof MprocError>(this: T, value: unknown): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null || !(value as Record<symbol, unknown>)[MPROC_ERROR]) {
      return false;
    }
    if (this.code === MprocError.code) return true;
    // A subclass matches its own code and the codes of its subclasses, as instanceof would.
    const codes = (value as { codes?: readonly string[] }).codes ?? [(value as MprocError).code];
    return codes.includes(this.code);
  }

  /**
   * `instanceof` answers as `isInstance()`: it holds across copies of this package, and for the
   * `TypeError`/`RangeError` subclasses below, which are mproc errors without extending this class.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return MprocError.isInstance.call(this as typeof MprocError, value);
  }

  /** Codes of this error's class and its mproc ancestors, for `isInstance()` across copies. */
  get codes(): readonly string[] {
    const codes: string[] = [];
    for (let ctor = this.constructor as typeof MprocError; ctor?.code; ctor = Object.getPrototypeOf(ctor)) {
      codes.push(ctor.code);
      if (ctor === MprocError) break;
    }
    return codes;
  }
}

/**
 * Marks a built-in error as mproc's: a stable `code`, and `MprocError.isInstance(error)` and
 * `error instanceof MprocError` hold.
 */
function markAsMproc(error: Error & { code: string; codes: readonly string[] }, code: string): void {
  error.code = code;
  Object.defineProperty(error, 'codes', { value: [code, MprocError.code] });
  Object.defineProperty(error, MPROC_ERROR, { value: true });
}

/**
 * A wrong type of argument or option, or a misuse that Python reports as `TypeError`: a
 * `TypeError` (as SPEC names it) that is also an mproc error, like Node's own `ERR_*` errors.
 */
export class MprocTypeError extends TypeError {
  declare readonly code: string;
  declare readonly codes: readonly string[];

  constructor(message: string, code = 'ERR_MPROC_INVALID_ARG_TYPE') {
    super(message);
    markAsMproc(this, code);
  }
}

/**
 * A value out of range, or a misuse that Python reports as `ValueError` (releasing an unheld lock,
 * one `taskDone()` too many): a `RangeError` that is also an mproc error.
 */
export class MprocRangeError extends RangeError {
  declare readonly code: string;
  declare readonly codes: readonly string[];

  constructor(message: string, code = 'ERR_MPROC_OUT_OF_RANGE') {
    super(message);
    markAsMproc(this, code);
  }
}

/** A result was not ready within the `timeout` given to `get()`/`result()`; the task goes on. */
export class TimeoutError extends MprocError {
  static override readonly code: string = 'ERR_MPROC_TIMEOUT';
}

/** A task was stopped because it ran longer than its `timeout` option. */
export class TaskTimeoutError extends MprocError {
  static override readonly code: string = 'ERR_MPROC_TASK_TIMEOUT';
}

/** A task was cancelled through its `signal`; `cause` holds the signal's reason. */
export class AbortError extends MprocError {
  static override readonly code: string = 'ERR_MPROC_ABORTED';
}

/** The worker running a task died (exit, signal, uncaught error, out of memory). */
export class WorkerExitedError extends MprocError {
  static override readonly code: string = 'ERR_MPROC_WORKER_EXITED';
  /** The worker's exit code, or null when a signal ended it. */
  readonly exitCode: number | null;
  /** The signal that ended the worker, or null when it exited. */
  readonly signal: string | null;

  constructor(
    message: string,
    exit: { exitCode: number | null; signal: string | null },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.exitCode = exit.exitCode;
    this.signal = exit.signal;
  }
}

/** The pool cannot run tasks: its initializer failed or its workers keep dying at start. */
export class BrokenPoolError extends MprocError {
  static override readonly code: string = 'ERR_MPROC_BROKEN_POOL';
}

/** A worker of a `ProcessPoolExecutor` died abruptly; the executor refuses new work. */
export class BrokenProcessPool extends BrokenPoolError {
  static override readonly code: string = 'ERR_MPROC_BROKEN_PROCESS_POOL';
}

/** A call on a pool that was closed or terminated. */
export class PoolNotRunningError extends MprocError {
  static override readonly code: string = 'ERR_MPROC_POOL_NOT_RUNNING';
}

/** An object was used in a state that does not allow the call (e.g. `join()` before `close()`). */
export class InvalidStateError extends MprocError {
  static override readonly code: string = 'ERR_MPROC_INVALID_STATE';
}

/** A value cannot be sent to or from a worker; the message names the path of the offending value. */
export class SerializationError extends MprocError {
  static override readonly code: string = 'ERR_MPROC_SERIALIZATION';
}

/** A start method's package is not installed; the message names the package. */
export class BackendUnavailableError extends MprocError {
  static override readonly code: string = 'ERR_MPROC_BACKEND_UNAVAILABLE';
}

/** `setStartMethod()` was called a second time without `{ force: true }`. */
export class ContextAlreadySetError extends MprocError {
  static override readonly code: string = 'ERR_MPROC_CONTEXT_ALREADY_SET';
}

/** A worker tried to start workers while it was still importing the main module. */
export class BootstrapError extends MprocError {
  static override readonly code: string = 'ERR_MPROC_BOOTSTRAP';
}

/** A non-blocking or timed `get` found the queue empty. */
export class Empty extends MprocError {
  static override readonly code: string = 'ERR_MPROC_EMPTY';
}

/** A non-blocking or timed `put` found the queue full. */
export class Full extends MprocError {
  static override readonly code: string = 'ERR_MPROC_FULL';
}

/** `get` on a closed queue. */
export class QueueClosedError extends MprocError {
  static override readonly code: string = 'ERR_MPROC_QUEUE_CLOSED';
}

/** `recv` on a connection whose peer is closed and has nothing left to read. */
export class EOFError extends MprocError {
  static override readonly code: string = 'ERR_MPROC_EOF';
}

/** A barrier was reset or aborted, or a waiter timed out. */
export class BrokenBarrierError extends MprocError {
  static override readonly code: string = 'ERR_MPROC_BROKEN_BARRIER';
}

/**
 * A call on a pool whose queue already holds `maxQueue` tasks waiting for a worker (the pool's
 * backlog, not a `Queue`: that one raises `Full`).
 */
export class QueueFullError extends MprocError {
  static override readonly code: string = 'ERR_MPROC_QUEUE_FULL';
}

/** The result of a cancelled `Future`. */
export class CancelledError extends MprocError {
  static override readonly code: string = 'ERR_MPROC_CANCELLED';
}

/** Classes a worker's error is rebuilt as in the parent, by class name. */
export const MPROC_ERROR_CLASSES: ReadonlyMap<string, typeof MprocError> = new Map(
  [
    MprocError,
    TimeoutError,
    TaskTimeoutError,
    AbortError,
    BrokenPoolError,
    BrokenProcessPool,
    PoolNotRunningError,
    InvalidStateError,
    SerializationError,
    BackendUnavailableError,
    ContextAlreadySetError,
    BootstrapError,
    Empty,
    Full,
    QueueFullError,
    QueueClosedError,
    EOFError,
    BrokenBarrierError,
    CancelledError,
  ].map((errorClass) => [errorClass.name, errorClass]),
);
