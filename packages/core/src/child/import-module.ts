/**
 * Imports a user's module in a worker. A TypeScript module that Node cannot load by itself (a
 * worker thread never inherits tsx's hooks, and spawn does not inherit the parent's loaders) gets
 * tsx registered in this worker first, when the user's project has tsx installed.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

type ModuleNamespace = Record<string, unknown>;

let tsxRegistered: Promise<void> | undefined;

function needsLoader(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_UNKNOWN_FILE_EXTENSION' || code === 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING';
}

async function registerTsx(moduleUrl: string): Promise<void> {
  let apiPath: string;
  try {
    apiPath = createRequire(moduleUrl).resolve('tsx/esm/api');
  } catch {
    throw new Error(
      `cannot load ${moduleUrl} in a worker: install tsx in the project to run TypeScript task modules`,
    );
  }
  const api = (await import(pathToFileURL(apiPath).href)) as { register(): unknown };
  api.register();
}

export async function importModule(url: string): Promise<ModuleNamespace> {
  try {
    return (await import(url)) as ModuleNamespace;
  } catch (error) {
    if (!needsLoader(error)) throw error;
    tsxRegistered ??= registerTsx(url);
    await tsxRegistered;
    return (await import(url)) as ModuleNamespace;
  }
}
