/** Pool options: their types, their defaults, and the checks that name a wrong one. */
import { availableParallelism } from 'node:os';
import type { ContextLike, WorkerResourceLimits } from '../backend.js';
import { MprocRangeError, MprocTypeError, shown } from '../errors.js';

/**
 * Options of `new Pool(options)` (Python's `Pool(processes, initializer, initargs, maxtasksperchild,
 * context)` as one object), plus what Node pools offer: a pool that grows and shrinks, a bounded
 * queue, worker heap limits. A wrong option is a TypeError or RangeError naming it.
 *
 * @example A fixed pool of four workers, each set up once
 * ```ts
 * const pool = new Pool({
 *   processes: 4,
 *   initializer: (level: string) => {
 *     process.env.LOG_LEVEL = level;
 *   },
 *   initArgs: ['debug'],
 * });
 * ```
 * @example A pool that grows to 8 workers under load and lets them go after 5 s idle
 * ```ts
 * const pool = new Pool({ minProcesses: 1, maxProcesses: 8, idleTimeout: 5_000 });
 * ```
 */
export interface PoolOptions {
  /**
   * Number of workers, all started with the pool and kept (Python's fixed pool); default
   * `cpuCount()`. For a pool that grows and shrinks, give `minProcesses`/`maxProcesses` instead.
   */
  readonly processes?: number;
  /**
   * Workers kept even when idle, in a pool that grows and shrinks; default 0. Giving this or
   * `maxProcesses` makes the pool start workers on demand and retire idle ones after `idleTimeout`.
   */
  readonly minProcesses?: number;
  /** The most workers of a pool that grows and shrinks; default `cpuCount()` (at least `minProcesses`). */
  readonly maxProcesses?: number;
  /**
   * Milliseconds a worker beyond `minProcesses` may stay idle before it exits; default 10,000.
   * Only for a pool that grows and shrinks.
   */
  readonly idleTimeout?: number;
  /** Runs once in each worker, with `initArgs`, before its first task. */
  readonly initializer?: (...args: never[]) => unknown;
  /** The arguments of `initializer`; default none. */
  readonly initArgs?: readonly unknown[];
  /** A worker exits and is replaced after this many tasks; default: never. */
  readonly maxTasksPerChild?: number | null;
  /** The start method's context; default: the default context. */
  readonly context?: ContextLike;
  /** Modules whose exported functions are sent by reference (module URL + export name). */
  readonly modules?: readonly (string | URL)[];
  /** The workers' environment; default: the parent's. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Node options for the workers (see each backend for what it inherits by default). */
  readonly execArgv?: readonly string[];
  /**
   * The most tasks that may wait for a worker; a call beyond it is refused with QueueFullError.
   * Default: no limit (Python's).
   */
  readonly maxQueue?: number | null;
  /**
   * Heap limits of each worker, in MB (Node's `Worker` `resourceLimits`). On threads they are passed
   * to the Worker; on process backends they become Node options (`maxOldGenerationSizeMb` is
   * `--max-old-space-size`). A worker that runs out of memory fails its task with WorkerExitedError.
   */
  readonly resourceLimits?: WorkerResourceLimits;
}

export interface ResolvedPoolOptions {
  /** The most workers (`maxProcesses` of a pool that grows and shrinks). */
  readonly processes: number;
  /** Workers kept while idle: `processes` in a fixed pool. */
  readonly minProcesses: number;
  /** Milliseconds before an idle worker beyond `minProcesses` exits. */
  readonly idleTimeout: number;
  readonly initializer: ((...args: never[]) => unknown) | undefined;
  readonly initArgs: readonly unknown[];
  readonly maxTasksPerChild: number | undefined;
  readonly context: ContextLike | undefined;
  readonly modules: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>> | undefined;
  readonly execArgv: readonly string[] | undefined;
  /** Infinity when unbounded. */
  readonly maxQueue: number;
  readonly resourceLimits: WorkerResourceLimits | undefined;
}

/** How long a worker beyond `minProcesses` may stay idle, by default. */
export const DEFAULT_IDLE_TIMEOUT = 10_000;

const KNOWN = new Set([
  'processes',
  'minProcesses',
  'maxProcesses',
  'idleTimeout',
  'initializer',
  'initArgs',
  'maxTasksPerChild',
  'context',
  'modules',
  'env',
  'execArgv',
  'maxQueue',
  'resourceLimits',
]);

const LIMITS = new Set([
  'maxOldGenerationSizeMb',
  'maxYoungGenerationSizeMb',
  'codeRangeSizeMb',
  'stackSizeMb',
]);

/** Each limit a positive number of MB; an unknown field is refused, as a misspelt one would be ignored. */
function resourceLimits(value: unknown, what: string): WorkerResourceLimits | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MprocTypeError(`${what}: option 'resourceLimits' must be an object, got ${shown(value)}`);
  }
  for (const [key, limit] of Object.entries(value)) {
    const name = `resourceLimits.${key}`;
    if (!LIMITS.has(key)) throw new MprocTypeError(`${what}: unknown option '${name}'`);
    if (limit === undefined) continue;
    if (typeof limit !== 'number') {
      throw new MprocTypeError(`${what}: option '${name}' must be a number, got ${shown(limit)}`);
    }
    if (!(limit > 0) || !Number.isFinite(limit)) {
      throw new MprocRangeError(`${what}: option '${name}' must be a positive number of MB, got ${limit}`);
    }
  }
  return value as WorkerResourceLimits;
}

function positiveInteger(value: unknown, name: string, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new MprocTypeError(`${what}: option '${name}' must be an integer, got ${shown(value)}`);
  }
  if (value < 1) throw new MprocRangeError(`${what}: option '${name}' must be at least 1, got ${value}`);
  return value;
}

function nonNegativeInteger(value: unknown, name: string, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new MprocTypeError(`${what}: option '${name}' must be an integer, got ${shown(value)}`);
  }
  if (value < 0) throw new MprocRangeError(`${what}: option '${name}' must be at least 0, got ${value}`);
  return value;
}

/**
 * The number of workers: fixed (`processes`, Python's pool), or between `minProcesses` and
 * `maxProcesses` with an idle timeout. Mixing the two, or an idle timeout on a fixed pool (which would
 * be ignored), is refused.
 */
function workerCounts(
  options: PoolOptions,
  what: string,
): Pick<ResolvedPoolOptions, 'processes' | 'minProcesses' | 'idleTimeout'> {
  const { processes, minProcesses, maxProcesses, idleTimeout } = options;
  if (minProcesses === undefined && maxProcesses === undefined) {
    if (idleTimeout !== undefined) {
      throw new MprocTypeError(
        `${what}: option 'idleTimeout' needs 'minProcesses' or 'maxProcesses' (a fixed pool never retires its workers)`,
      );
    }
    const fixed =
      processes === undefined ? availableParallelism() : positiveInteger(processes, 'processes', what);
    return { processes: fixed, minProcesses: fixed, idleTimeout: Number.POSITIVE_INFINITY };
  }
  if (processes !== undefined) {
    throw new MprocTypeError(
      `${what}: give either 'processes' (a fixed pool) or 'minProcesses'/'maxProcesses' (a pool that grows and shrinks), not both`,
    );
  }
  const least = minProcesses === undefined ? 0 : nonNegativeInteger(minProcesses, 'minProcesses', what);
  const most =
    maxProcesses === undefined
      ? Math.max(least, 1, availableParallelism())
      : positiveInteger(maxProcesses, 'maxProcesses', what);
  if (least > most) {
    throw new MprocRangeError(
      `${what}: option 'minProcesses' (${least}) must not exceed 'maxProcesses' (${most})`,
    );
  }
  if (
    idleTimeout !== undefined &&
    !(typeof idleTimeout === 'number' && idleTimeout >= 0 && !Number.isNaN(idleTimeout))
  ) {
    throw new MprocRangeError(
      `${what}: option 'idleTimeout' must be a number of milliseconds ≥ 0 (or Infinity), got ${shown(idleTimeout)}`,
    );
  }
  return { processes: most, minProcesses: least, idleTimeout: idleTimeout ?? DEFAULT_IDLE_TIMEOUT };
}

function stringArray(value: unknown, name: string, what: string): readonly string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new MprocTypeError(`${what}: option '${name}' must be an array of strings`);
  }
  return value;
}

/** An object whose values are strings (or undefined, to leave a variable out). */
function isEnvironment(env: unknown): boolean {
  if (typeof env !== 'object' || env === null || Array.isArray(env)) return false;
  return Object.values(env).every((value) => value === undefined || typeof value === 'string');
}

function moduleUrl(entry: unknown, what: string): string {
  if (entry instanceof URL) return entry.href;
  if (typeof entry === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(entry)) return entry;
  throw new MprocTypeError(
    `${what}: option 'modules' takes module URLs (e.g. import.meta.url), got ${shown(entry)}`,
  );
}

/**
 * Checks `options` and fills in defaults.
 * @throws TypeError for an unknown option or a value of the wrong type; RangeError for a value out of range.
 */
export function resolvePoolOptions(options: PoolOptions = {}, what = 'Pool'): ResolvedPoolOptions {
  if (typeof options !== 'object' || options === null)
    throw new MprocTypeError(`${what}: options must be an object`);
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new MprocTypeError(`${what}: unknown option '${key}'`);
  }
  const { initializer, initArgs = [], env, context } = options;
  if (initializer !== undefined && typeof initializer !== 'function') {
    throw new MprocTypeError(`${what}: option 'initializer' must be a function`);
  }
  if (!Array.isArray(initArgs)) throw new MprocTypeError(`${what}: option 'initArgs' must be an array`);
  if (env !== undefined && !isEnvironment(env)) {
    throw new MprocTypeError(`${what}: option 'env' must be an object of strings`);
  }
  if (context !== undefined && typeof (context as { backend?: unknown })?.backend !== 'function') {
    throw new MprocTypeError(`${what}: option 'context' must be a Context from getContext()`);
  }
  if (options.modules !== undefined && !Array.isArray(options.modules)) {
    throw new MprocTypeError(`${what}: option 'modules' must be an array of module URLs`);
  }
  return {
    ...workerCounts(options, what),
    initializer,
    initArgs,
    maxTasksPerChild:
      options.maxTasksPerChild == null
        ? undefined
        : positiveInteger(options.maxTasksPerChild, 'maxTasksPerChild', what),
    context,
    modules: (options.modules ?? []).map((entry) => moduleUrl(entry, what)),
    env,
    execArgv: options.execArgv === undefined ? undefined : stringArray(options.execArgv, 'execArgv', what),
    maxQueue:
      options.maxQueue == null || options.maxQueue === Number.POSITIVE_INFINITY
        ? Number.POSITIVE_INFINITY
        : positiveInteger(options.maxQueue, 'maxQueue', what),
    resourceLimits: resourceLimits(options.resourceLimits, what),
  };
}
