/**
 * Ports reference tutorial 003, section "Each process has a separate memory address space", first
 * version: task 1 runs in the main process, then task 2 in a child Process. Both append their times to
 * the module-level `sharedList`, but the child appends to its own copy of it (the child loads this
 * script afresh to find `cpuBoundTask2`), so the parent's final list holds only task 1's times.
 *
 * Logs, each line prefixed with the time of day: `Init program`; task 1's `time 1 - (...)`,
 * `shared_list 1 []`, `shared_list 1 [[(...)]]`; then the same three lines of task 2 from the child;
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
  // Run in the main process - 1
  cpuBoundTask1(COUNTS);
  // Run in a child process - 2
  const p = new Process({ target: cpuBoundTask2, args: [COUNTS] });
  await p.start(); // Starts the process and calls the target function
  await p.join(); // Waits until the process has finished
  log(`final shared_list ${formatResults(sharedList)}`);
  const end = performance.now();
  log(`Total time :: ${Math.round(end - start) / 1000} secs`);
}

if (isMainProcess()) {
  log('Init program');
  await multiprocessing();
  log('Finish program');
}
