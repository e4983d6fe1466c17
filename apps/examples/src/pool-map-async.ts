/**
 * Ports reference tutorial 002, "Multiprocessing using Pool in Python" (BlogsDope), the `map_async`
 * example: `mapAsync` returns an AsyncResult at once, so "main script" prints while the tasks run;
 * `await result.get()` then waits for the list.
 *
 * Prints five `start process` lines (interleaved with `main script`, depending on timing), then
 * `[0, 1, 4, 9, 16]` and `end main script`.
 */
import { isMainProcess, Pool } from '@mproc/core';

export async function square(x: number): Promise<number> {
  const square = x * x;
  console.log('start process');
  await new Promise((resolve) => setTimeout(resolve, 1000)); // time.sleep(1)
  return square;
}

if (isMainProcess()) {
  const pool = new Pool();
  const result = pool.mapAsync(square, range(0, 5));
  console.log('main script');
  console.log(`[${(await result.get()).join(', ')}]`);
  console.log('end main script');
}

/** Python's `range(start, stop)` as an array. */
function range(start: number, stop: number): number[] {
  return Array.from({ length: stop - start }, (_, index) => start + index);
}
