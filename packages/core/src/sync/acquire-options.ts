/** The `{ block?, timeout? }` options of every waiting operation, checked once. */
import { MprocTypeError, shown, TimeoutError } from '../errors.js';
import { checkTimeout } from '../timeout-option.js';

/** Options of `acquire()`, `hold()` and their synchronous forms: Python's `block` and `timeout` (ms here). */
export interface AcquireOptions {
  /** Wait for the lock (default true); false: take it only if it is free now. */
  readonly block?: boolean;
  /** With `block`, the longest wait in milliseconds; undefined or null: no limit. */
  readonly timeout?: number | null;
}

export interface ResolvedAcquire {
  readonly block: boolean;
  readonly timeout: number | undefined;
}

/** No options: wait as long as it takes. */
export const BLOCK_FOREVER: ResolvedAcquire = Object.freeze({ block: true, timeout: undefined });

/**
 * Checks `{ block?, timeout? }`.
 * @throws TypeError for options that are not an object or values of the wrong type.
 * @throws RangeError for a negative or NaN timeout.
 */
export function resolveAcquireOptions(options: AcquireOptions | undefined, what: string): ResolvedAcquire {
  if (options === undefined || options === null) return BLOCK_FOREVER;
  if (typeof options !== 'object') {
    throw new MprocTypeError(
      `${what}: options must be an object like { block, timeout }, got ${shown(options)}`,
    );
  }
  const { block = true, timeout } = options;
  if (typeof block !== 'boolean')
    throw new MprocTypeError(`${what}: block must be a boolean, got ${shown(block)}`);
  return { block, timeout: checkTimeout(timeout, what) };
}

interface Acquirable {
  acquire(options?: AcquireOptions): Promise<boolean>;
  release(): Promise<void>;
}

interface SyncAcquirable {
  acquireSync(options?: AcquireOptions): boolean;
  releaseSync(): void;
}

function notAcquired(options: AcquireOptions | undefined, what: string): TimeoutError {
  const how =
    options?.block === false ? 'it is held elsewhere' : `not acquired within ${options?.timeout} ms`;
  return new TimeoutError(`${what}: ${how}`);
}

/**
 * Acquires `lock` and hands back what releases it at the end of an `await using` block.
 * @throws TimeoutError (as a rejection) when the lock was not acquired (`block: false` or `timeout`).
 */
export async function hold(
  lock: Acquirable,
  options: AcquireOptions | undefined,
  what: string,
): Promise<AsyncDisposable> {
  if (!(await lock.acquire(options))) throw notAcquired(options, `${what}.hold()`);
  let held = true;
  return {
    async [Symbol.asyncDispose]() {
      if (!held) return;
      held = false;
      await lock.release();
    },
  };
}

/**
 * Acquires `lock` on this thread and hands back what releases it at the end of a `using` block.
 * @throws TimeoutError when the lock was not acquired (`block: false` or `timeout`).
 */
export function holdSync(
  lock: SyncAcquirable,
  options: AcquireOptions | undefined,
  what: string,
): Disposable {
  if (!lock.acquireSync(options)) throw notAcquired(options, `${what}.holdSync()`);
  let held = true;
  return {
    [Symbol.dispose]() {
      if (!held) return;
      held = false;
      lock.releaseSync();
    },
  };
}
