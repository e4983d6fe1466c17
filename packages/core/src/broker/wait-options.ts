/** The `{ block, timeout }` options of every operation that may wait, checked once on the caller's side. */
import { resolveAcquireOptions } from '../sync/acquire-options.js';

/** Options of a call that may wait (`put`, `get`, `send`, `recv`...): Python's `block` and `timeout` (ms here). */
export interface BlockOptions {
  /** Wait when the operation cannot complete now; default true. With false, fail at once. */
  readonly block?: boolean;
  /** Milliseconds to wait at most; undefined or null: no limit. Ignored when `block` is false. */
  readonly timeout?: number | null;
}

/** The options as the broker takes them: `timeout` 0 when not blocking, undefined for no limit. */
export interface WaitLimit {
  readonly timeout: number | undefined;
}

/**
 * Turns `{ block, timeout }` into a limit: not blocking is a timeout of 0.
 * @throws TypeError for options that are not an object, a non-boolean `block`, a non-number timeout;
 *   RangeError for a negative timeout.
 */
export function waitLimit(options: BlockOptions | undefined, what: string): WaitLimit {
  // The same `{ block, timeout }` as a lock's acquire, checked by the same rules.
  const { block, timeout } = resolveAcquireOptions(options, what);
  return { timeout: block ? timeout : 0 };
}
