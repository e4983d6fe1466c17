import { readFile } from 'node:fs/promises';
import type { SystemAdapter } from '../systems/adapter.js';
import type { Kind, Sample, Settings } from '../types.js';
import { MiB, sleep, warmUp, withPool } from './common.js';

/** VmRSS of a process from /proc (Linux), in bytes. */
export async function processRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** The collector is exposed because the runner starts memory children with --expose-gc. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * `memory`: RSS of one idle worker. Both kinds start the pool, wait for the workers to boot, run a
 * warm-up (so each worker has loaded the task code) and then stay idle for a moment.
 * - process systems: the mean VmRSS of the worker processes (/proc/<pid>/status);
 * - thread systems: workers live in this process, so (RSS with the idle pool − RSS before the pool,
 *   library already imported) / workers, with a main-thread GC before each reading.
 */
export async function measureMemory(
  system: SystemAdapter,
  settings: Settings,
  kind: Kind,
): Promise<Sample[]> {
  collectGarbage();
  await sleep(100);
  const rssBefore = process.memoryUsage.rss();
  return withPool(
    () => system.createPool(settings.workers),
    async (pool) => {
      await sleep(settings.memorySettleMs); // every worker boots (one warm-up may not reach all)
      await warmUp(pool, settings.workers);
      await sleep(settings.memorySettleMs);
      let perWorker: number;
      if (kind === 'thread') {
        collectGarbage();
        perWorker = (process.memoryUsage.rss() - rssBefore) / settings.workers;
      } else {
        const pids = pool.workerPids?.() ?? [];
        if (pids.length === 0) throw new Error('the adapter found no worker pids');
        const sizes = await Promise.all(pids.map(processRss));
        perWorker = sizes.reduce((sum, size) => sum + size, 0) / sizes.length;
      }
      return [{ metric: 'memory', value: perWorker / MiB, unit: 'MiB' }];
    },
  );
}
