/**
 * The script the user ran, whose exports a worker may look functions up in (SPEC 3). A script inside
 * node_modules is a tool (a test runner, a CLI), not the user's main module, and is never imported.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

let cached: string | null | undefined;

export function mainModuleUrl(): string | null {
  if (cached !== undefined) return cached;
  cached = null;
  const script = process.argv[1];
  if (script) {
    try {
      const path = realpathSync(script);
      if (!path.split(/[\\/]/).includes('node_modules')) cached = pathToFileURL(path).href;
    } catch {
      // not a file (node -e, a REPL): there is no main module to import
    }
  }
  return cached;
}
