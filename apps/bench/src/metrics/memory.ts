import { readdir, readFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { SystemAdapter } from '../systems/adapter.js';
import type { Kind, Sample, Settings } from '../types.js';
import { MiB, openPool, sleep, warmUp } from './common.js';

/** VmRSS of a process from /proc (Linux), in bytes. */
export async function processRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/**
 * Pids of this process's children, from /proc/<pid>/stat. The measurement child starts nothing but
 * its pool, so these are the pool's workers, found without any library's internals.
 */
export async function childPids(parent = process.pid): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === parent) pids.push(Number(entry));
  }
  return pids;
}

/**
 * A main-thread garbage collection before reading RSS. The flag is set at run time instead of
 * with --expose-gc on the command line because workers inherit the command line's execArgv, and
 * worker_threads refuse that flag.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * `memory`: RSS of one idle worker. Both kinds start the pool, wait for the workers to boot, run a
 * warm-up (so each worker has loaded the task code) and then stay idle for a moment.
 * - process systems: the VmRSS of all of this process's child processes (the workers and any helper
 *   process the library starts) divided by the number of workers;
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
  const pool = openPool(() => system.createPool(settings.workers));
  await sleep(settings.memorySettleMs); // every worker boots (one warm-up may not reach all)
  await warmUp(pool, settings.workers);
  await sleep(settings.memorySettleMs);
  let perWorker: number;
  if (kind === 'thread') {
    collectGarbage();
    perWorker = (process.memoryUsage.rss() - rssBefore) / settings.workers;
  } else {
    // Every child counts: a helper process a library starts beside its workers (mproc's orphan
    // reaper, one small `sh` per parent) is part of what its pool costs.
    const pids = await childPids();
    if (pids.length < settings.workers) {
      throw new Error(`found ${pids.length} child processes, expected at least ${settings.workers} workers`);
    }
    const sizes = await Promise.all(pids.map(processRss));
    perWorker = sizes.reduce((sum, size) => sum + size, 0) / settings.workers;
  }
  return [{ metric: 'memory', value: perWorker / MiB, unit: 'MiB' }];
}
