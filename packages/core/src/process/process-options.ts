/** Process options: their types, their defaults, and the checks that name a wrong one. */
import type { ContextLike } from '../backend.js';
import { MprocTypeError } from '../errors.js';
import { resolvePoolOptions } from '../pool/pool-options.js';
import { type FunctionHandle, functionHandle } from '../serialize/function-handle.js';

/** Options of `Process`; only `target` is required. */
export interface ProcessOptions<A extends unknown[] = unknown[]> {
  /** The function the child runs, once, with `args`; sent as Pool tasks are (by reference or source). */
  readonly target: (...args: A) => unknown;
  /** The target's arguments; default none. */
  readonly args?: A;
  /** The child's name, as `currentProcess().name` reports it there; default `Process-N`. */
  readonly name?: string;
  /** A daemonic child is stopped when this process exits, and does not keep it alive; default false. */
  readonly daemon?: boolean;
  /** The start method's context; default: the default context. */
  readonly context?: ContextLike;
  /** Modules whose exported functions are sent by reference (module URL + export name). */
  readonly modules?: readonly (string | URL)[];
  /** The child's environment; default: the parent's. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Node options for the child (see each backend for what it inherits by default). */
  readonly execArgv?: readonly string[];
}

export interface ResolvedProcessOptions {
  readonly target: FunctionHandle;
  readonly args: readonly unknown[];
  readonly name: string | undefined;
  readonly daemon: boolean;
  readonly context: ContextLike | undefined;
  readonly modules: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>> | undefined;
  readonly execArgv: readonly string[] | undefined;
}

const KNOWN = new Set(['target', 'args', 'name', 'daemon', 'context', 'modules', 'env', 'execArgv']);

/**
 * Checks `options`; the options a Process shares with Pool are checked by Pool's own rules.
 * @throws TypeError for an unknown option, a value of the wrong type, or a target that cannot be sent
 *   (native, bound, a class).
 */
export function resolveProcessOptions<A extends unknown[]>(
  options: ProcessOptions<A>,
): ResolvedProcessOptions {
  const what = 'Process';
  if (typeof options !== 'object' || options === null) {
    throw new MprocTypeError(`${what}: options must be an object with a target`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new MprocTypeError(`${what}: unknown option '${key}'`);
  }
  const { target, args = [], name, daemon = false } = options;
  if (typeof target !== 'function') throw new MprocTypeError(`${what}: option 'target' must be a function`);
  if (!Array.isArray(args)) throw new MprocTypeError(`${what}: option 'args' must be an array`);
  if (name !== undefined && typeof name !== 'string') {
    throw new MprocTypeError(`${what}: option 'name' must be a string`);
  }
  if (typeof daemon !== 'boolean') throw new MprocTypeError(`${what}: option 'daemon' must be a boolean`);
  const shared = resolvePoolOptions(
    { context: options.context, modules: options.modules, env: options.env, execArgv: options.execArgv },
    what,
  );
  return {
    target: functionHandle(target, `${what} target`),
    args,
    name,
    daemon,
    context: shared.context,
    modules: shared.modules,
    env: shared.env,
    execArgv: shared.execArgv,
  };
}
