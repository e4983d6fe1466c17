/**
 * Ports reference tutorial 003, section "Pool of worker processes with Pool class" / "map", its second
 * example: six CPU-bound tasks on four workers, so the last two run as workers become free.
 *
 * Each task sums 50,000,000 numbers as in the tutorial; the tests set MPROC_EXAMPLE_ITERATIONS lower
 * to stay fast on two cores. The times and worker ids (pids; thread ids on the threads start method)
 * differ on every run.
 */
import { currentProcess, isMainProcess, Pool } from '@mproc/core';
import { cpuBoundOperation, formatResults, formatTime, ITERATIONS, log } from './operations/cpu-bound.js';

/** Runs a CPU-bound task. */
export function cpuBoundTask(counts: number): [number, number][] {
  const time = cpuBoundOperation(counts);
  log(`-------- Process: ${currentProcess().ident} --------`);
  log(`time - ${formatTime(time)}\n`);
  return [time];
}

async function multiprocessing(): Promise<void> {
  const args = [ITERATIONS, ITERATIONS, ITERATIONS, ITERATIONS, ITERATIONS, ITERATIONS];
  // Run in worker processes
  await using pool = new Pool({ processes: 4 });
  const res = await pool.map(cpuBoundTask, args); // waits until the result is ready
  log(formatResults(res));
}

if (isMainProcess()) {
  log('Init parallel program');
  await multiprocessing();
  log('Finish parallel program');
}
