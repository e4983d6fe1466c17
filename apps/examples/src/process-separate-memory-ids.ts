/**
 * Ports reference tutorial 003, section "Each process has a separate memory address space", the
 * version that logs, in each process, its id and the identity of `sharedList`: the parallel version,
 * plus a `--> FIRST id` line at the script's top level. That line is logged twice, by the parent and
 * by the child, because the child loads the script afresh (as Python's spawn start method does) to find
 * `cpuBoundTask2`, with a list of its own.
 *
 * JavaScript has no `id()` (no object addresses): a random number made together with the list stands
 * in for the tutorial's `id(shared_list)`, and it differs between the processes as the addresses do
 * under spawn. The process id is `currentProcess().ident`: the pid, or the thread id on the threads
 * start method, where every worker shares the parent's pid.
 *
 * Logs, each line prefixed with the time of day: two `--> FIRST id - ...` lines (one per process),
 * `Init parallel program`, each task's four lines (`time N - ...`, `shared_list N []`,
 * `--> id - ... in task N ...`, `shared_list N [[(...)]]`), `final shared_list` with task 1's times,
 * `--> id - ... final shared_list: ...` with the parent's first id, `Total time :: ... secs` and
 * `Finish parallel program`.
 */
import { randomInt } from 'node:crypto';
import { currentProcess, isMainProcess, Process } from '@mproc/core';
import { cpuBoundOperation, formatResults, formatTime, ITERATIONS, log } from './operations/cpu-bound.js';

/**
 * The tutorial's 150,000,000 iterations: three times the Pool examples' count, so it is scaled down
 * with it by MPROC_EXAMPLE_ITERATIONS (the tests set it lower).
 */
const COUNTS = 3 * ITERATIONS;

const sharedList: [number, number][][] = [];
/** Stands in for `id(shared_list)`: made with this process's list, so each process has its own. */
const sharedListId = randomInt(1e9, 1e10);
log(`--> FIRST id - main thread in ${currentProcess().ident} process shared_list: ${sharedListId}`);

/** Runs a CPU-bound task and appends its times to this process's `sharedList`. */
export function cpuBoundTask1(counts: number): void {
  const time = cpuBoundOperation(counts);
  log(`time 1 - ${formatTime(time)}`);
  log(`shared_list 1 ${formatResults(sharedList)}`);
  sharedList.push([time]);
  log(`--> id - main thread in ${currentProcess().ident} process in task 1 shared_list: ${sharedListId}`);
  log(`shared_list 1 ${formatResults(sharedList)}`);
}

/** The same as task 2, run in a child process. */
export function cpuBoundTask2(counts: number): void {
  const time = cpuBoundOperation(counts);
  log(`time 2 - ${formatTime(time)}`);
  log(`shared_list 2 ${formatResults(sharedList)}`);
  sharedList.push([time]);
  log(`--> id - main thread in ${currentProcess().ident} process in task 2 shared_list: ${sharedListId}`);
  log(`shared_list 2 ${formatResults(sharedList)}`);
}

async function multiprocessing(): Promise<void> {
  const start = performance.now();
  // Run in a child process - 2
  const p = new Process({ target: cpuBoundTask2, args: [COUNTS] });
  await p.start(); // Starts the process and calls the target function
  // Run in the main process - 1
  cpuBoundTask1(COUNTS);
  await p.join(); // Waits until the process has finished
  log(`final shared_list ${formatResults(sharedList)}`);
  log(`--> id - main thread in ${currentProcess().ident} process final shared_list: ${sharedListId}`);
  const end = performance.now();
  log(`Total time :: ${Math.round(end - start) / 1000} secs`);
}

if (isMainProcess()) {
  log('Init parallel program');
  await multiprocessing();
  log('Finish parallel program');
}
