/**
 * Ports reference tutorial 003, section "Pool of worker processes with Pool class" / "map", its
 * `chunksize` examples: 24 CPU-bound tasks on four workers with a chunksize of 1, then 2, then 3.
 * `map` cuts the input into chunks of that many items and sends each chunk to a worker as one task,
 * so chunksize 2 sends 12 tasks and chunksize 3 sends 8.
 *
 * The tutorial edits one program three times; this file runs the three versions in turn, each on a
 * fresh pool, and logs which one runs. Each task sums 50,000,000 numbers as in the tutorial; the tests
 * set MPROC_EXAMPLE_ITERATIONS lower to stay fast on two cores. The times and worker ids (pids; thread
 * ids on the threads start method) differ on every run.
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

async function multiprocessing(chunksize: number): Promise<void> {
  const nTasks = 24;
  const args = new Array<number>(nTasks).fill(ITERATIONS);
  // Run in worker processes
  await using pool = new Pool({ processes: 4 });
  const res = await pool.map(cpuBoundTask, args, chunksize); // waits until the result is ready
  log(formatResults(res));
}

if (isMainProcess()) {
  log('Init parallel program');
  for (const chunksize of [1, 2, 3]) {
    log(`chunksize = ${chunksize}`);
    await multiprocessing(chunksize);
  }
  log('Finish parallel program');
}
