/**
 * Ports reference tutorial 002, "Multiprocessing using Pool in Python" (BlogsDope), its first example:
 * `Pool.map` over range(0, 5) with a task that prints as it starts, computes, sleeps one second and
 * ends; then `close()` and the elapsed time.
 *
 * The task returns nothing, as in Python (there `map` returns `[None, ...]`). The order of the task
 * lines and the time taken depend on the number of CPUs (the pool has `cpuCount()` workers).
 */
import { isMainProcess, Pool } from '@mproc/core';

export async function square(x: number): Promise<void> {
  console.log(`start process:${x}`);
  const square = x * x;
  console.log(`square ${x}:${square}`);
  await new Promise((resolve) => setTimeout(resolve, 1000)); // time.sleep(1)
  console.log(`end process:${x}`);
}

if (isMainProcess()) {
  const starttime = performance.now();
  const pool = new Pool();
  await pool.map(square, range(0, 5));
  pool.close();
  const endtime = performance.now();
  console.log(`Time taken ${(endtime - starttime) / 1000} seconds`);
}

/** Python's `range(start, stop)` as an array. */
function range(start: number, stop: number): number[] {
  return Array.from({ length: stop - start }, (_, index) => start + index);
}
