/**
 * Ports reference tutorial 003, section "Each process has a separate memory address space", the
 * version that sets the start method with `mp.set_start_method("fork")`: `setStartMethod('fork')`,
 * then the same program as process-separate-memory-ids.ts. The MPROC_START_METHOD environment variable
 * still comes first when it is set (SPEC 2), so the tests run it on threads too.
 *
 * In Python, fork copies the parent, so both processes log the same `id(shared_list)` (copy-on-write
 * memory). mproc's 'fork' starts a fresh Node process with `child_process.fork`, not a copy of the
 * parent: the child loads the script afresh, so this port logs two different ids, as under spawn; what
 * it shows is the two pids. The stand-in for `id()` and `currentProcess().ident` are as in
 * process-separate-memory-ids.ts.
 *
 * Logs the same lines as process-separate-memory-ids.ts.
 */
import { randomInt } from 'node:crypto';
import { currentProcess, isMainProcess, Process, setStartMethod } from '@mproc/core';
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
  setStartMethod('fork');
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
