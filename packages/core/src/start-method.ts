/**
 * The default start method, chosen as SPEC 2 says: MPROC_START_METHOD, else setStartMethod(), else
 * the first installed of fork, threads, spawn, cluster.
 */
import { BUILTIN_START_METHODS, isAvailable, registeredNames } from './backend-registry.js';
import { ContextAlreadySetError, MprocTypeError } from './errors.js';

/**
 * The start methods, as a map of names to `true` so that a third-party backend can add its name by
 * declaration merging: `declare module '@mproc/core' { interface StartMethods { mine: true } }`.
 */
export interface StartMethods {
  /** Child processes made by `child_process.fork` (`@mproc/backend-fork`); the default when installed. */
  fork: true;
  /** Fresh interpreters made by `child_process.spawn` (`@mproc/backend-spawn`). */
  spawn: true;
  /** Worker threads of this process (`@mproc/backend-threads`). */
  threads: true;
  /** Workers of Node's `cluster` module (`@mproc/backend-cluster`). */
  cluster: true;
}

/** A start method's name: one of the four built-in ones, or one a third party declared. */
export type StartMethod = keyof StartMethods;

let chosen: string | undefined;

/**
 * Sets the default start method.
 * @throws ContextAlreadySetError on a second call without `{ force: true }`, as Python does.
 */
export function setStartMethod(method: StartMethod | null, options: { force?: boolean } = {}): void {
  if (chosen !== undefined && !options.force) {
    throw new ContextAlreadySetError(`the start method is already set to '${chosen}'; pass { force: true }`);
  }
  if (method !== null && typeof method !== 'string') {
    throw new MprocTypeError('setStartMethod(method): method must be a string or null');
  }
  chosen = method ?? undefined;
}

/**
 * The default start method's name. With `allowNone`, undefined when none was set explicitly
 * (by MPROC_START_METHOD or setStartMethod), as Python's `get_start_method(allow_none=True)`.
 */
export function getStartMethod(allowNone?: false): string;
export function getStartMethod(allowNone: true): string | undefined;
export function getStartMethod(allowNone = false): string | undefined {
  const fromEnv = process.env.MPROC_START_METHOD || undefined;
  const explicit = fromEnv ?? chosen;
  if (explicit !== undefined || allowNone) return explicit;
  return BUILTIN_START_METHODS.find(isAvailable) ?? 'threads';
}

/** Names of the installed and registered start methods, the default first. */
export function getAllStartMethods(): string[] {
  const names = new Set<string>([...BUILTIN_START_METHODS.filter(isAvailable), ...registeredNames()]);
  const first = getStartMethod();
  return [first, ...[...names].filter((name) => name !== first)].filter((name) => isAvailable(name));
}
