/**
 * Turns a FunctionRef into a callable in the worker, in SPEC order: a `task()` reference by module
 * and name; a named function exported by a `modules` entry or by the main module (matched by its
 * source text, so a same-named other function is never taken); else the source text compiled here.
 * Each id is resolved once per worker.
 */

import { MprocTypeError } from '../errors.js';
import { whileImportingMain } from '../process-info.js';
import type { FunctionDefinition, FunctionRef } from '../protocol/messages.js';
import { registeredTask } from '../serialize/task-registry.js';
import { importModule } from './import-module.js';

export interface ResolvedFunction {
  readonly fn: (...args: unknown[]) => unknown;
  /** Compiled from source text: a ReferenceError then means it was not self-contained. */
  readonly fromSource: boolean;
}

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * esbuild's keep-names helper. Under tsx (esbuild with keepNames) a function's source text calls
 * `__name(inner, "inner")` for the functions and classes it declares; the helper itself lives in the
 * module, not in the text, so it is given to the compiled source here.
 */
function __name<T extends object>(target: T, value: string): T {
  return Object.defineProperty(target, 'name', { value, configurable: true });
}

function compile(source: string, name: string): AnyFunction {
  try {
    return new Function('__name', `return (${source}\n);`)(__name) as AnyFunction;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  // Method shorthand (`square(n) { ... }`) is not an expression on its own.
  return new Function('__name', `return ({${source}\n})[${JSON.stringify(name)}];`)(__name) as AnyFunction;
}

function exported(namespace: Record<string, unknown>, name: string): unknown {
  if (name in namespace) return namespace[name];
  const commonJs = namespace.default as Record<string, unknown> | undefined;
  return typeof commonJs === 'object' || typeof commonJs === 'function' ? commonJs?.[name] : undefined;
}

/**
 * The function that a module's namespace exports as `name` (or its CommonJS exports object does),
 * if its source text is `source`: how a function sent by name and source is found in the modules
 * that a worker imports, so that a same-named other function is never taken.
 */
export function exportedFunction(
  namespace: Record<string, unknown>,
  name: string,
  source: string,
): ((...args: unknown[]) => unknown) | undefined {
  const candidate = exported(namespace, name);
  return typeof candidate === 'function' && Function.prototype.toString.call(candidate) === source
    ? (candidate as AnyFunction)
    : undefined;
}

export class FunctionResolver {
  readonly #modules: readonly string[];
  readonly #mainModule: string | null;
  readonly #resolved = new Map<number, ResolvedFunction>();

  constructor(modules: readonly string[], mainModule: string | null) {
    this.#modules = modules;
    this.#mainModule = mainModule;
  }

  /** A function seen before comes back at once, not as a promise: most tasks reuse one. */
  resolve(ref: FunctionRef): ResolvedFunction | Promise<ResolvedFunction> {
    return this.#resolved.get(ref.id) ?? this.#resolveNew(ref);
  }

  async #resolveNew(ref: FunctionRef): Promise<ResolvedFunction> {
    if (!ref.definition) throw new Error(`mproc protocol: function ${ref.id} arrived without its definition`);
    const resolved = await this.#resolveDefinition(ref.definition);
    this.#resolved.set(ref.id, resolved);
    return resolved;
  }

  /** Resolves a definition without caching it by id (for functions carried by objects, e.g. a Barrier's action). */
  resolveDefinition(definition: FunctionDefinition): Promise<ResolvedFunction> {
    return this.#resolveDefinition(definition);
  }

  async #resolveDefinition(definition: FunctionDefinition): Promise<ResolvedFunction> {
    if (definition.kind === 'module') {
      const namespace = await importModule(definition.url);
      const fn = registeredTask(definition.url, definition.name) ?? exported(namespace, definition.name);
      if (typeof fn !== 'function') {
        throw new MprocTypeError(
          `the task '${definition.name}' of ${definition.url} was marked with task() in the parent, but ` +
            `importing that module in the worker neither registered nor exported it: call task() at the ` +
            `module's top level, outside the isMainProcess() block (a worker imports the module with ` +
            `that block skipped), or export the function`,
          'ERR_MPROC_TASK_NOT_FOUND',
        );
      }
      return { fn: fn as AnyFunction, fromSource: false };
    }
    if (definition.name) {
      const found = await this.#findExported(definition.name, definition.source);
      if (found) return { fn: found, fromSource: false };
    }
    return { fn: compile(definition.source, definition.name), fromSource: true };
  }

  async #findExported(name: string, source: string): Promise<AnyFunction | undefined> {
    for (const url of this.#modules) {
      const found = exportedFunction(await importModule(url), name, source);
      if (found) return found;
    }
    const main = this.#mainModule;
    if (!main) return undefined;
    return exportedFunction(await whileImportingMain(() => importModule(main)), name, source);
  }
}

/**
 * The resolver of this worker's tasks (its `modules` and main module), set by the worker loop; one per
 * thread, shared by every copy of this package loaded there (a cluster worker runs a CommonJS copy
 * beside the ESM one tasks import). Outside a worker: a resolver of source text and `task()` only.
 */
const CURRENT = Symbol.for('mproc.functionResolver');
const slot = globalThis as Record<symbol, Pick<FunctionResolver, 'resolveDefinition'> | undefined>;

export function setCurrentResolver(resolver: FunctionResolver): void {
  slot[CURRENT] = resolver;
}

export function currentResolver(): Pick<FunctionResolver, 'resolveDefinition'> {
  slot[CURRENT] ??= new FunctionResolver([], null);
  return slot[CURRENT];
}
