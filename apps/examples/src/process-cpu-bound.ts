/**
 * Ports reference tutorial 003, section "Python multiprocessing first steps": one CPU-bound task in a
 * child Process; `start()` starts it and `join()` waits for it.
 *
 * Prints `Init program`, `time - (start, finish)` from the child, then `Finish program`, each line
 * prefixed with the time of day (the tutorial's logging format). The times differ on every run.
 */
import { isMainProcess, Process } from '@mproc/core';
import { cpuBoundOperation, formatTime, ITERATIONS, log } from './operations/cpu-bound.js';

/**
 * The tutorial's 150,000,000 iterations: three times the Pool examples' count, so it is scaled down
 * with it by MPROC_EXAMPLE_ITERATIONS (the tests set it lower).
 */
const COUNTS = 3 * ITERATIONS;

/** Runs a CPU-bound task and logs its start and finish times. */
export function cpuBoundTask(counts: number): void {
  const time = cpuBoundOperation(counts);
  log(`time - ${formatTime(time)}`);
}

async function multiprocessing(): Promise<void> {
  // Run in a child process
  const p = new Process({ target: cpuBoundTask, args: [COUNTS] });
  await p.start(); // Starts the process and calls the target function
  await p.join(); // Waits until the process has finished
}

if (isMainProcess()) {
  log('Init program');
  await multiprocessing();
  log('Finish program');
}
