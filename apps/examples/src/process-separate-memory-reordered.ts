/**
 * Ports reference tutorial 003, section "Each process has a separate memory address space", the version
 * with the order changed: task 2 runs in a child Process, started and joined, then task 1 in the main
 * process. `join()` waits for the child, so the tasks still run one after the other, taking about as
 * long as the first version; again the parent's final list holds only task 1's times.
 *
 * Logs, each line prefixed with the time of day: `Init program`; task 2's `time 2 - (...)`,
 * `shared_list 2 []`, `shared_list 2 [[(...)]]` from the child; then the same three lines of task 1;
 * `final shared_list [[(...)]]` with task 1's times only; `Total time :: ... secs`; `Finish program`.
 */
import { isMainProcess, Process } from '@mproc/core';
import { cpuBoundOperation, formatResults, formatTime, ITERATIONS, log } from './operations/cpu-bound.js';

/**
 * The tutorial's 150,000,000 iterations: three times the Pool examples' count, so it is scaled down
 * with it by MPROC_EXAMPLE_ITERATIONS (the tests set it lower).
 */
const COUNTS = 3 * ITERATIONS;

// Threads of one process share memory; processes each have their own.
const sharedList: [number, number][][] = [];

/** Runs a CPU-bound task and appends its times to this process's `sharedList`. */
export function cpuBoundTask1(counts: number): void {
  const time = cpuBoundOperation(counts);
  log(`time 1 - ${formatTime(time)}`);
  log(`shared_list 1 ${formatResults(sharedList)}`);
  sharedList.push([time]);
  log(`shared_list 1 ${formatResults(sharedList)}`);
}

/** The same as task 2, run in a child process. */
export function cpuBoundTask2(counts: number): void {
  const time = cpuBoundOperation(counts);
  log(`time 2 - ${formatTime(time)}`);
  log(`shared_list 2 ${formatResults(sharedList)}`);
  sharedList.push([time]);
  log(`shared_list 2 ${formatResults(sharedList)}`);
}

async function multiprocessing(): Promise<void> {
  const start = performance.now();
  // Run in a child process - 2
  const p = new Process({ target: cpuBoundTask2, args: [COUNTS] });
  await p.start(); // Starts the process and calls the target function
  await p.join(); // Waits until the process has finished
  // Run in the main process - 1
  cpuBoundTask1(COUNTS);
  log(`final shared_list ${formatResults(sharedList)}`);
  const end = performance.now();
  log(`Total time :: ${Math.round(end - start) / 1000} secs`);
}

if (isMainProcess()) {
  log('Init program');
  await multiprocessing();
  log('Finish program');
}
