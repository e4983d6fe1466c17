import { MprocTypeError } from '../errors.js';

/**
 * `task(fn)` names a function by its module URL and name, the way Python pickles a function by
 * reference. The registry is per process and keyed by `Symbol.for`, so copies of this package share
 * it; a worker that imports the module re-runs the module's `task()` calls and so finds functions
 * that were never exported.
 */

// biome-ignore lint/suspicious/noExplicitAny: any function may be sent as a task
type AnyFunction = (...args: any[]) => unknown;

export interface TaskReference {
  readonly module: string;
  readonly name: string;
}

interface Registry {
  readonly byFunction: WeakMap<AnyFunction, TaskReference>;
  readonly byKey: Map<string, AnyFunction>;
}

const REGISTRY = Symbol.for('mproc.task-registry');

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  holder[REGISTRY] ??= { byFunction: new WeakMap(), byKey: new Map() };
  return holder[REGISTRY];
}

function keyOf(module: string, name: string): string {
  return `${module}#${name}`;
}

/** The URL of the module that called `task()`, from V8's structured stack trace. */
function callerModule(): string {
  const original = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, callSites) => callSites;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder, task);
    const fileName = holder.stack?.[0]?.getFileName();
    if (!fileName)
      throw new MprocTypeError(
        'task(fn): cannot tell which module called it; pass { module: import.meta.url }',
      );
    return fileName.startsWith('file:') || fileName.includes('://')
      ? fileName
      : new URL(`file://${fileName}`).href;
  } finally {
    Error.prepareStackTrace = original;
  }
}

/**
 * Marks `fn` to be sent to workers by reference: the worker imports `module` (default: the module
 * that calls `task`) and takes the function registered or exported there under `name` (default:
 * `fn.name`). Returns `fn` itself. Call it at the module's top level so a worker's import of the
 * module registers the same function.
 * @typeParam F - the function's type, returned unchanged.
 * @throws TypeError when `fn` is not a function or has no name and none is given.
 */
export function task<F extends (...args: never[]) => unknown>(
  fn: F,
  options: { module?: string | URL; name?: string } = {},
): F {
  if (typeof fn !== 'function') throw new MprocTypeError('task(fn): fn must be a function');
  const name = options.name ?? fn.name;
  if (!name) throw new MprocTypeError('task(fn): the function has no name; pass { name }');
  const module = options.module === undefined ? callerModule() : String(options.module);
  const reference: TaskReference = { module, name };
  const { byFunction, byKey } = registry();
  byFunction.set(fn, reference);
  byKey.set(keyOf(module, name), fn);
  return fn;
}

export function taskReferenceOf(fn: AnyFunction): TaskReference | undefined {
  return registry().byFunction.get(fn);
}

export function registeredTask(module: string, name: string): AnyFunction | undefined {
  return registry().byKey.get(keyOf(module, name));
}
