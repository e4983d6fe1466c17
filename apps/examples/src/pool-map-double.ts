/**
 * Ports reference tutorial 001, "A Comprehensive Guide to Multiprocessing in Python", section
 * "Parallel Execution with Process Pools": `Pool.map` doubles each task value on a pool with the
 * default number of workers (`cpuCount()`).
 *
 * Prints `Results: [2, 4, 6, 8, 10]`.
 */
import { isMainProcess, Pool } from '@mproc/core';

export function worker(task: number): number {
  return task * 2;
}

if (isMainProcess()) {
  const tasks = [1, 2, 3, 4, 5];

  let results: number[];
  {
    await using pool = new Pool();
    results = await pool.map(worker, tasks);
  }

  console.log(`Results: [${results.join(', ')}]`);
}
