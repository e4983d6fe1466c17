/**
 * Ports reference tutorial 004, "Using the ProcessPoolExecutor for Managing Process Pools", section
 * "Example 2: Using map()": the squares of 1..10 on four workers, printed one per line as the
 * iterator yields them, in input order.
 *
 * Prints 1, 4, 9, ..., 100 on ten lines, then the execution time.
 */
import { isMainProcess, ProcessPoolExecutor } from '@mproc/core';

/** Calculates the square of a number. */
export function square(n: number): number {
  return n * n;
}

if (isMainProcess()) {
  const numbers = range(1, 11);

  const startTime = performance.now();

  {
    await using executor = new ProcessPoolExecutor({ maxWorkers: 4 });
    const results = executor.map(square, numbers);

    for await (const result of results) {
      console.log(result);
    }
  }

  const endTime = performance.now();

  console.log(`Execution time: ${(endTime - startTime) / 1000} seconds`);
}

/** Python's `range(start, stop)` as an array. */
function range(start: number, stop: number): number[] {
  return Array.from({ length: stop - start }, (_, index) => start + index);
}
