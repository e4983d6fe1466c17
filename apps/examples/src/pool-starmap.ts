/**
 * Reference tutorial 003, "Pool of worker processes with Pool class", lists `starmap` among the Pool
 * methods without an example; this is tutorial 000's square example (see pool-square.ts) with a
 * two-argument task: `starmap` calls `fn(...args)` for each array of arguments, as Python's
 * `starmap` calls `fn(*args)` for each tuple.
 *
 * Prints `Products: [1, 4, 9, 16, 25]`.
 */
import { isMainProcess, Pool } from '@mproc/core';

export function multiply(a: number, b: number): number {
  return a * b;
}

if (isMainProcess()) {
  const pairs: [number, number][] = [
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 4],
    [5, 5],
  ];
  await using pool = new Pool({ processes: 4 });
  const results = await pool.starmap(multiply, pairs);
  console.log(`Products: [${results.join(', ')}]`);
}
