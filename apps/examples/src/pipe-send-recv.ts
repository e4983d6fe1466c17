/**
 * Ports reference tutorial 003, section "Exchanging objects between processes" / "Pipe function": task 2
 * runs in a child Process and sends its times to the parent with `conn.send()`, then closes its end;
 * task 1 runs in the main process meanwhile, and only then does the parent `recv()` the child's times
 * (placed after task 1, as the tutorial explains, so the parent does not wait before its own work) and
 * append them to its `sharedList`, which now holds both tasks' times.
 *
 * Logs, each line prefixed with the time of day: `Init parallel program`; task 1's `time 1 - (...)`,
 * `shared_list 1 []`, `shared_list 1 [[(...)]]` and, from the child, `time 2 - (...)`,
 * `shared_list 2 []`, `shared_list 2 [[(...)]]`, the two tasks' lines interleaved in any order;
 * `child process time: [(...)]`; `final shared_list [[(...)], [(...)]]`; `Total time :: ... secs`;
 * `Finish parallel program`.
 */
import { type Connection, isMainProcess, Pipe, Process } from '@mproc/core';
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
export async function cpuBoundTask2(counts: number, conn: Connection): Promise<void> {
  const time = cpuBoundOperation(counts);
  log(`time 2 - ${formatTime(time)}`);
  log(`shared_list 2 ${formatResults(sharedList)}`);
  sharedList.push([time]);
  log(`shared_list 2 ${formatResults(sharedList)}`);
  await conn.send([time]);
  await conn.close();
}

async function multiprocessing(): Promise<void> {
  const [parentConn, childConn] = Pipe();
  const start = performance.now();
  // Run in a child process - 2
  const p = new Process({ target: cpuBoundTask2, args: [COUNTS, childConn] });
  await p.start(); // Starts the process and calls the target function
  // Run in the main process - 1
  cpuBoundTask1(COUNTS);
  const childTime = await parentConn.recv<[number, number][]>();
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
