/**
 * The parent's side of sending a function: each distinct function gets a numeric id and a
 * definition once; a worker receives the definition the first time it meets the id and caches
 * what it resolves, so later tasks carry only the id.
 */

// biome-ignore lint/suspicious/noExplicitAny: any function may be sent as a task
type AnyFunction = (...args: any[]) => unknown;

import { MprocTypeError } from '../errors.js';
import type { FunctionDefinition } from '../protocol/messages.js';
import { taskReferenceOf } from './task-registry.js';

export interface FunctionHandle {
  readonly id: number;
  readonly definition: FunctionDefinition;
}

const handles = new WeakMap<AnyFunction, FunctionHandle>();
let nextId = 1;

/** The code of every function that cannot be sent to a worker. */
const UNSENDABLE = 'ERR_MPROC_UNSENDABLE_FUNCTION';

function definitionOf(fn: AnyFunction, what: string): FunctionDefinition {
  const reference = taskReferenceOf(fn);
  if (reference) return { kind: 'module', url: reference.module, name: reference.name };
  const source = Function.prototype.toString.call(fn);
  if (fn.name.startsWith('bound ')) {
    throw new MprocTypeError(
      `${what}: a bound function cannot be sent to a worker; pass the bound values as arguments`,
      UNSENDABLE,
    );
  }
  if (source.endsWith('{ [native code] }')) {
    throw new MprocTypeError(
      `${what}: the native function ${fn.name || '(anonymous)'} cannot be sent to a worker; wrap it, e.g. (x) => Math.sqrt(x)`,
      UNSENDABLE,
    );
  }
  if (source.startsWith('class'))
    throw new MprocTypeError(`${what}: a class cannot be sent as a task function`, UNSENDABLE);
  return { kind: 'source', name: fn.name, source };
}

/**
 * The handle of `fn`, made on first use.
 * @throws TypeError when `fn` is not a function, or is native, bound or a class.
 */
export function functionHandle(fn: unknown, what: string): FunctionHandle {
  if (typeof fn !== 'function')
    throw new MprocTypeError(`${what}: the task must be a function, got ${typeof fn}`);
  const task = fn as AnyFunction;
  let handle = handles.get(task);
  if (!handle) {
    handle = { id: nextId++, definition: definitionOf(task, what) };
    handles.set(task, handle);
  }
  return handle;
}
