/**
 * Ports reference tutorial 004, "Using the ProcessPoolExecutor for Managing Process Pools", section
 * "Example 1: Using submit()": one `submit` per number on four workers, then `result()` of each
 * future in turn, inside the executor's block (`await using`, Python's `with`).
 *
 * Prints `Factorials: [120, 3628800, 1307674368000, 2432902008176640000]` and the execution time.
 * The factorial is a BigInt, as Python's int has no size limit (a Number would be exact up to 20!
 * only by luck of its factors of two, and wrong from 23! on).
 */
import { isMainProcess, ProcessPoolExecutor } from '@mproc/core';

/** Calculates the factorial of a number. */
export function factorial(n: number): bigint {
  let result = 1n;
  for (let i = 1n; i <= BigInt(n); i++) {
    result *= i;
  }
  return result;
}

if (isMainProcess()) {
  const numbers = [5, 10, 15, 20];

  const startTime = performance.now();

  let results: bigint[];
  {
    await using executor = new ProcessPoolExecutor({ maxWorkers: 4 });
    const futures = numbers.map((n) => executor.submit(factorial, n));

    results = [];
    for (const future of futures) results.push(await future.result());
  }

  const endTime = performance.now();

  console.log(`Factorials: [${results.join(', ')}]`);
  console.log(`Execution time: ${(endTime - startTime) / 1000} seconds`);
}
