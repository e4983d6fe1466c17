/**
 * Where backends come from: registered objects, or the package `@mproc/backend-<name>` loaded the
 * first time a start method of that name is used.
 */
import { createRequire } from 'node:module';
import { BACKEND_API_VERSION, type Backend } from './backend.js';
import { BackendUnavailableError, MprocTypeError } from './errors.js';

/** The start methods mproc ships, in the order the default is picked from. */
export const BUILTIN_START_METHODS = Object.freeze(['fork', 'threads', 'spawn', 'cluster'] as const);

export type BuiltinStartMethod = (typeof BUILTIN_START_METHODS)[number];

const registered = new Map<string, Backend>();
const loading = new Map<string, Promise<Backend>>();
const requireFromHere = createRequire(import.meta.url);

export function packageOf(name: string): string {
  return `@mproc/backend-${name}`;
}

/**
 * Makes a backend available under its `name` (replacing one of the same name).
 * @throws TypeError when `backend` does not implement this version of the Backend contract.
 */
export function registerBackend(backend: Backend): void {
  if (typeof backend !== 'object' || backend === null || typeof backend.startWorker !== 'function') {
    throw new MprocTypeError('registerBackend(backend): backend must implement startWorker()');
  }
  if (typeof backend.name !== 'string' || !backend.name) {
    throw new MprocTypeError('registerBackend(backend): backend.name must be a non-empty string');
  }
  if (backend.apiVersion !== BACKEND_API_VERSION) {
    throw new MprocTypeError(
      `registerBackend(${backend.name}): backend contract version ${backend.apiVersion}, this @mproc/core needs ${BACKEND_API_VERSION}`,
    );
  }
  registered.set(backend.name, backend);
}

/** True when `name` is registered or its package can be resolved from here. */
export function isAvailable(name: string): boolean {
  if (registered.has(name)) return true;
  try {
    requireFromHere.resolve(packageOf(name));
    return true;
  } catch {
    return false;
  }
}

export function registeredNames(): string[] {
  return [...registered.keys()];
}

/** The backend called `name` if it is already registered or loaded, without loading it. */
export function loadedBackend(name: string): Backend | undefined {
  return registered.get(name);
}

/**
 * The backend called `name`, importing its package on first use.
 * @throws BackendUnavailableError naming the package to install.
 */
export function loadBackend(name: string): Promise<Backend> {
  const known = registered.get(name);
  if (known) return Promise.resolve(known);
  let pending = loading.get(name);
  if (!pending) {
    pending = importBackend(name);
    loading.set(name, pending);
    pending.catch(() => loading.delete(name));
  }
  return pending;
}

async function importBackend(name: string): Promise<Backend> {
  const packageName = packageOf(name);
  let namespace: { backend?: Backend; default?: { backend?: Backend } };
  try {
    namespace = await import(packageName);
  } catch (error) {
    const missing = (error as { code?: string }).code;
    if (missing === 'ERR_MODULE_NOT_FOUND' || missing === 'MODULE_NOT_FOUND') {
      throw new BackendUnavailableError(
        `the start method '${name}' needs the package ${packageName}: npm install ${packageName}`,
        { cause: error },
      );
    }
    throw error;
  }
  const backend = namespace.backend ?? namespace.default?.backend;
  if (!backend) throw new BackendUnavailableError(`${packageName} does not export a backend`);
  registerBackend(backend);
  return backend;
}
