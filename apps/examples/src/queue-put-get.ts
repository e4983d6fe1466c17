/**
 * Ports reference tutorial 003, section "Exchanging objects between processes" / "Queue class": the
 * Pipe example with a Queue instead. Task 2 runs in a child Process and puts its times in the queue
 * with `q.put()`; task 1 runs in the main process meanwhile, then the parent takes the child's times
 * with `q.get()` and appends them to its `sharedList`, which now holds both tasks' times.
 *
 * Logs, each line prefixed with the time of day: `Init parallel program`; task 1's `time 1 - (...)`,
 * `shared_list 1 []`, `shared_list 1 [[(...)]]` and the child's `time 2 - (...)`, in any order;
 * `child process time: [(...)]`; `final shared_list [[(...)], [(...)]]`; `Total time :: ... secs`;
 * `Finish parallel program`.
 */
import { isMainProcess, Process, Queue } from '@mproc/core';
import { cpuBoundOperation, formatResults, formatTime, ITERATIONS, log } from './operations/cpu-bound.js';

/** The tutorial's 150,000,000 iterations, scaled with MPROC_EXAMPLE_ITERATIONS (see cpu-bound.ts). */
const COUNTS = 3 * ITERATIONS;

const sharedList: [number, number][][] = [];

/** Runs a CPU-bound task and appends its times to this process's `sharedList`. */
export function cpuBoundTask1(counts: number): void {
  const time = cpuBoundOperation(counts);
  log(`time 1 - ${formatTime(time)}`);
  log(`shared_list 1 ${formatResults(sharedList)}`);
  sharedList.push([time]);
  log(`shared_list 1 ${formatResults(sharedList)}`);
}

/** Runs a CPU-bound task and sends the results to parent. */
export async function cpuBoundTask2(counts: number, q: Queue<[number, number][]>): Promise<void> {
  const time = cpuBoundOperation(counts);
  log(`time 2 - ${formatTime(time)}`);
  await q.put([time]); // Add items to the queue
}

async function multiprocessing(): Promise<void> {
  const q = new Queue<[number, number][]>();
  const start = performance.now();
  // Run in a child process - 2
  const p = new Process({ target: cpuBoundTask2, args: [COUNTS, q] });
  await p.start(); // Starts the process and calls the target function
  // Run in the main process - 1
  cpuBoundTask1(COUNTS);
  const childTime = await q.get(); // Remove and return an item from the queue
  log(`child process time: [${childTime.map(formatTime).join(', ')}]`);
  sharedList.push(childTime);
  await p.join(); // Waits until the process has finished
  log(`final shared_list ${formatResults(sharedList)}`);
  const end = performance.now();
  log(`Total time :: ${Math.round(end - start) / 1000} secs`);
}

if (isMainProcess()) {
  log('Init parallel program');
  await multiprocessing();
  log('Finish parallel program');
}
