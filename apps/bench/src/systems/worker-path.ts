import { fileURLToPath } from 'node:url';

/** Path of a compiled worker module in dist/workers (this file is compiled into dist/systems). */
export function workerPath(name: string): string {
  return fileURLToPath(new URL(`../workers/${name}.js`, import.meta.url));
}
