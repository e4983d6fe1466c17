/**
 * Entry of a measurement child:
 *
 *   node dist/measure.js --system piscina/threads --measurement tiny --settings '{...}'
 *   node dist/measure.js --system piscina/threads --probe
 *
 * mproc's workers import the parent's main module (SPEC.md §3: its exports can be tasks) and
 * cluster workers may run it again. So, like Python's `if __name__ == '__main__'`, only the process
 * the runner started measures, and this file stays tiny so that what the workers import is small
 * and costs them no start-up time or memory.
 */
import cluster from 'node:cluster';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

function startedAsScript(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === fileURLToPath(import.meta.url);
  } catch {
    return false; // no script path (e.g. `node -e`)
  }
}

if (isMainThread && cluster.isPrimary && startedAsScript()) {
  await import('./child-main.js');
}
