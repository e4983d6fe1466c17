/**
 * Ports reference tutorial 000, "Using a Process Pool for Parallel Computation", section "Code
 * Example": the square of 1..5 on a pool of 4 workers, each task sleeping one second to simulate work.
 *
 *   npm run first            (from apps/examples; MPROC_START_METHOD=threads to use threads)
 *
 * Prints `Squared numbers: [1, 4, 9, 16, 25]`.
 */
import { isMainProcess, Pool } from '@mproc/core';

// Exported so a worker finds it by module and name, as Python pickles `square` by reference.
export async function square(n: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1000)); // time.sleep(1): simulate some work
  return n * n;
}

// The worker imports this module to find `square`: only the main process runs what follows,
// as Python's `if __name__ == '__main__':`.
if (isMainProcess()) {
  const numbers = [1, 2, 3, 4, 5];
  await using pool = new Pool({ processes: 4 });
  const results = await pool.map(square, numbers);
  console.log(`Squared numbers: [${results.join(', ')}]`);
}
