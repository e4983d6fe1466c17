/**
 * Ports reference tutorial 003, section "Pool of worker processes with Pool class" / "map_async":
 * `mapAsync` returns an AsyncResult at once; `ready()` is false, `wait()` waits until all 24 tasks are
 * done (it also takes a timeout, in milliseconds), then `ready()` is true and `get()` gives the list.
 *
 * Python's positional chunksize (`map_async(fn, args, 1)`) goes in the options: `{ chunksize: 1 }`.
 * Each task sums 50,000,000 numbers as in the tutorial; the tests set MPROC_EXAMPLE_ITERATIONS lower
 * to stay fast on two cores. The times and worker ids (pids; thread ids on the threads start method)
 * differ on every run.
 */
import { currentProcess, isMainProcess, Pool } from '@mproc/core';
import { cpuBoundOperation, formatTime, ITERATIONS, log } from './operations/cpu-bound.js';

/** Runs a CPU-bound task. */
export function cpuBoundTask(counts: number): [number, number][] {
  const time = cpuBoundOperation(counts);
  log(`-------- Process: ${currentProcess().ident} --------`);
  log(`time - ${formatTime(time)}\n`);
  return [time];
}

async function multiprocessing(): Promise<void> {
  const nTasks = 24;
  const args = new Array<number>(nTasks).fill(ITERATIONS);
  // Run in worker processes
  await using pool = new Pool({ processes: 4 });
  const result = pool.mapAsync(cpuBoundTask, args, { chunksize: 1 }); // does not wait
  log(`res.ready(): ${result.ready()}`);
  log('waiting...');
  await result.wait(); // waits until the result is ready
  log(`res.ready(): ${result.ready()}`);
  await result.get(); // the list of [time] lists, as `map` returns it
}

if (isMainProcess()) {
  log('Init parallel program');
  await multiprocessing();
  log('Finish parallel program');
}
