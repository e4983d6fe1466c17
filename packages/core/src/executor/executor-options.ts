/** ProcessPoolExecutor options: Python's names in camelCase, checked, then turned into Pool options. */
import type { ContextLike, WorkerResourceLimits } from '../backend.js';
import { MprocRangeError, MprocTypeError, shown } from '../errors.js';
import { type PoolOptions, resolvePoolOptions } from '../pool/pool-options.js';

/**
 * Options of `new ProcessPoolExecutor(options)`: Python's `max_workers`, `mp_context`, `initializer`,
 * `initargs` and `max_tasks_per_child` in camelCase, plus `minWorkers`/`idleTimeout`, `maxQueue`,
 * `modules` and `resourceLimits` as on Pool. A wrong option is a TypeError or RangeError naming it.
 *
 * @example
 * ```ts
 * const executor = new ProcessPoolExecutor({ maxWorkers: 4, mpContext: getContext('spawn') });
 * ```
 */
export interface ProcessPoolExecutorOptions {
  /** Number of workers (the most, with `minWorkers`); default `cpuCount()`. */
  readonly maxWorkers?: number;
  /**
   * Workers kept even when idle. Giving it makes the executor start workers on demand, up to
   * `maxWorkers`, and retire those idle for `idleTimeout` ms beyond this many (Pool's
   * `minProcesses`). Default: all `maxWorkers` start with the executor and stay.
   */
  readonly minWorkers?: number;
  /** Milliseconds a worker beyond `minWorkers` may stay idle before it exits; default 10,000. */
  readonly idleTimeout?: number;
  /** The start method's context; default: the default context. */
  readonly mpContext?: ContextLike;
  /** Runs once in each worker, with `initArgs`, before its first task. */
  readonly initializer?: (...args: never[]) => unknown;
  /** The arguments of `initializer`; default none. */
  readonly initArgs?: readonly unknown[];
  /** A worker exits and is replaced after this many tasks; default: never. */
  readonly maxTasksPerChild?: number | null;
  /** Modules whose exported functions are sent by reference (module URL + export name). */
  readonly modules?: readonly (string | URL)[];
  /**
   * The most futures that may wait for a worker; a `submit` beyond it returns a future failed with
   * QueueFullError. Default: no limit (Python's).
   */
  readonly maxQueue?: number | null;
  /** Heap limits of each worker, in MB, as the Pool option of that name. */
  readonly resourceLimits?: WorkerResourceLimits;
}

const KNOWN = new Set([
  'maxWorkers',
  'minWorkers',
  'idleTimeout',
  'mpContext',
  'initializer',
  'initArgs',
  'maxTasksPerChild',
  'modules',
  'maxQueue',
  'resourceLimits',
]);

/**
 * Checks `options` and returns the equivalent Pool options.
 * @throws TypeError for an unknown option or a value of the wrong type; RangeError for a value out
 *   of range; the message names the option.
 */
export function toPoolOptions(options: ProcessPoolExecutorOptions, what: string): PoolOptions {
  if (typeof options !== 'object' || options === null)
    throw new MprocTypeError(`${what}: options must be an object`);
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new MprocTypeError(`${what}: unknown option '${key}'`);
  }
  const { maxWorkers, minWorkers, idleTimeout, mpContext, ...shared } = options;
  if (maxWorkers !== undefined) {
    if (typeof maxWorkers !== 'number' || !Number.isInteger(maxWorkers)) {
      throw new MprocTypeError(`${what}: option 'maxWorkers' must be an integer, got ${shown(maxWorkers)}`);
    }
    if (maxWorkers < 1)
      throw new MprocRangeError(`${what}: option 'maxWorkers' must be at least 1, got ${maxWorkers}`);
  }
  if (mpContext !== undefined && typeof (mpContext as { backend?: unknown })?.backend !== 'function') {
    throw new MprocTypeError(`${what}: option 'mpContext' must be a Context from getContext()`);
  }
  if (minWorkers !== undefined) {
    if (typeof minWorkers !== 'number' || !Number.isInteger(minWorkers)) {
      throw new MprocTypeError(`${what}: option 'minWorkers' must be an integer, got ${shown(minWorkers)}`);
    }
    if (minWorkers < 0 || (maxWorkers !== undefined && minWorkers > maxWorkers)) {
      throw new MprocRangeError(
        `${what}: option 'minWorkers' must be between 0 and 'maxWorkers' (${maxWorkers ?? 'cpuCount()'}), got ${minWorkers}`,
      );
    }
  }
  if (minWorkers === undefined && idleTimeout !== undefined) {
    throw new MprocTypeError(
      `${what}: option 'idleTimeout' needs 'minWorkers' (without it, every worker stays for the executor's life)`,
    );
  }
  const counts: PoolOptions =
    minWorkers === undefined
      ? { processes: maxWorkers }
      : { minProcesses: minWorkers, maxProcesses: maxWorkers, idleTimeout };
  const poolOptions: PoolOptions = { ...shared, ...counts, context: mpContext };
  resolvePoolOptions(poolOptions, what); // the options both share, with this class's name in messages
  return poolOptions;
}
