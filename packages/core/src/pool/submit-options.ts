/** The `{ signal, timeout }` every submitting method takes, checked once, and abort wiring. */
import { AbortError, MprocRangeError, MprocTypeError } from '../errors.js';

/** Options every submitting call of Pool takes (`apply`, `applyAsync`, and map-like calls through MapOptions). */
export interface SubmitOptions {
  /** Aborting it removes a queued task, or stops a running one by replacing its worker. */
  readonly signal?: AbortSignal;
  /** Milliseconds a task may run, counted from when a worker takes it. */
  readonly timeout?: number;
}

export interface SubmitLimits {
  readonly signal: AbortSignal | undefined;
  readonly timeout: number | undefined;
}

/**
 * @throws TypeError for an unknown option or a `signal` that is not an AbortSignal;
 *   RangeError for a `timeout` that is not a finite number ≥ 0.
 */
export function parseSubmitOptions(
  options: object | undefined,
  what: string,
  otherKeys: readonly string[] = [],
): SubmitLimits {
  if (options === undefined) return { signal: undefined, timeout: undefined };
  if (typeof options !== 'object' || options === null) {
    throw new MprocTypeError(`${what}: options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'signal' && key !== 'timeout' && !otherKeys.includes(key)) {
      throw new MprocTypeError(`${what}: unknown option '${key}'`);
    }
  }
  const { signal, timeout } = options as SubmitOptions;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new MprocTypeError(`${what}: option 'signal' must be an AbortSignal`);
  }
  if (timeout !== undefined && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 0)) {
    throw new MprocRangeError(
      `${what}: option 'timeout' must be a finite number of milliseconds ≥ 0, got ${timeout}`,
    );
  }
  return { signal, timeout };
}

export function abortErrorFor(signal: AbortSignal): AbortError {
  return new AbortError('the task was aborted', { cause: signal.reason });
}

/** Calls `listener` once when `signal` aborts; returns the function that detaches it. */
export function onAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (!signal) return () => {};
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}
