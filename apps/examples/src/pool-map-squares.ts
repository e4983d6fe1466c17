/**
 * Ports reference tutorial 002, "Multiprocessing using Pool in Python" (BlogsDope), the `map` example
 * that returns the squares (the one the tutorial then rewrites with `imap`, see pool-imap.ts).
 *
 * Prints a start and an end line per task (their order depends on the number of CPUs), then
 * `[0, 1, 4, 9, 16]`. As in the Python program the pool is never closed: the process ends when the
 * main script is done, and the idle workers go with it.
 */
import { isMainProcess, Pool } from '@mproc/core';

export async function square(x: number): Promise<number> {
  console.log(`start process ${x}`);
  const square = x * x;
  await new Promise((resolve) => setTimeout(resolve, 1000)); // time.sleep(1)
  console.log(`end process ${x}`);
  return square;
}

if (isMainProcess()) {
  const pool = new Pool();
  const a = await pool.map(square, range(0, 5));
  console.log(`[${a.join(', ')}]`);
}

/** Python's `range(start, stop)` as an array. */
function range(start: number, stop: number): number[] {
  return Array.from({ length: stop - start }, (_, index) => start + index);
}
