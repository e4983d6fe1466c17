/**
 * Ports reference tutorial 004, "Using the ProcessPoolExecutor for Managing Process Pools", section
 * "Error Handling": two `submit`s of `divide` on two workers; the second divides by zero, and its
 * `result()` rejects with the worker's error, which the script catches and prints.
 *
 * Prints `Result 1: 5` (Python prints `5.0`: its `/` always makes a float) and
 * `Error in future2: Cannot divide by zero!`.
 */
import { isMainProcess, ProcessPoolExecutor } from '@mproc/core';

/** Divides x by y. Throws a RangeError if y is zero. */
export function divide(x: number, y: number): number {
  // JS does not fail on a division by zero (5 / 0 is Infinity), so this check is what fails the
  // task, as the Python original's explicit raise does. RangeError is JS's nearest built-in to
  // Python's ValueError.
  if (y === 0) {
    throw new RangeError('Cannot divide by zero!');
  }
  return x / y;
}

if (isMainProcess()) {
  await using executor = new ProcessPoolExecutor({ maxWorkers: 2 });
  const future1 = executor.submit(divide, 10, 2);
  const future2 = executor.submit(divide, 5, 0); // This will throw

  try {
    const result1 = await future1.result();
    console.log(`Result 1: ${result1}`);
  } catch (error) {
    console.log(`Error in future1: ${(error as Error).message}`);
  }

  try {
    const result2 = await future2.result(); // This rejects with the RangeError
    console.log(`Result 2: ${result2}`);
  } catch (error) {
    console.log(`Error in future2: ${(error as Error).message}`);
  }
}
