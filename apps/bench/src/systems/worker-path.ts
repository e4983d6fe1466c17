import { fileURLToPath } from 'node:url';

/** Path of a compiled worker module in dist/workers (this file is compiled into dist/systems). */
export function workerPath(name: string, extension: '.js' | '.cjs' = '.js'): string {
  return fileURLToPath(new URL(`../workers/${name}${extension}`, import.meta.url));
}
