/**
 * Imports a user's module in a worker. A TypeScript module that Node cannot load by itself (a
 * worker thread never inherits tsx's hooks, and spawn does not inherit the parent's loaders) gets
 * tsx registered in this worker first, when the user's project has tsx installed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

type ModuleNamespace = Record<string, unknown>;

let tsxRegistered: Promise<void> | undefined;

const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;
const PROBE = new URL('../assets/tsx-probe.mts', import.meta.url).href;

/** True when TypeScript modules load in this thread as under tsx (e.g. a fork that inherited it). */
async function tsxActive(): Promise<boolean> {
  try {
    await import(PROBE);
    return true;
  } catch {
    return false;
  }
}

/** The ESM entry of `tsx/esm/api` as seen from `moduleUrl` (its CommonJS entry cannot register hooks). */
function tsxApiUrl(moduleUrl: string): string {
  const packageJsonPath = createRequire(moduleUrl).resolve('tsx/package.json');
  const entry = (JSON.parse(readFileSync(packageJsonPath, 'utf8')) as TsxPackageJson).exports?.['./esm/api']
    ?.import;
  const target = typeof entry === 'string' ? entry : entry?.default;
  if (!target) throw new Error('this version of tsx has no ESM entry tsx/esm/api');
  return new URL(target, pathToFileURL(packageJsonPath)).href;
}

interface TsxPackageJson {
  exports?: Record<string, { import?: string | { default?: string } } | undefined>;
}

async function registerTsx(moduleUrl: string): Promise<void> {
  let apiUrl: string;
  try {
    apiUrl = tsxApiUrl(moduleUrl);
  } catch (error) {
    throw new Error(
      `cannot load ${moduleUrl} in a worker: install tsx in the project to run TypeScript task modules`,
      {
        cause: error,
      },
    );
  }
  const api = (await import(apiUrl)) as { register(): unknown };
  api.register();
}

/**
 * Imports a module of the user's. For a TypeScript module, tsx is registered first unless a probe
 * shows its hooks are already active here; registering after a failed import would not help, since
 * Node caches the failure.
 */
export async function importModule(url: string): Promise<ModuleNamespace> {
  if (!tsxRegistered && TYPESCRIPT.test(new URL(url).pathname)) {
    tsxRegistered = tsxActive().then((active) => (active ? undefined : registerTsx(url)));
  }
  if (tsxRegistered) await tsxRegistered;
  return (await import(url)) as ModuleNamespace;
}
