/**
 * Ports reference tutorial 002, "Multiprocessing using Pool in Python" (BlogsDope), the `apply`
 * example: `await pool.apply(...)` runs one call in a worker and waits for it, so the two two-second
 * calls run one after the other (about four seconds) before "main script".
 *
 * Prints `start process`, `end process`, `start process`, `end process`, `main script`,
 * `end main script`.
 */
import { isMainProcess, Pool } from '@mproc/core';

export async function test(x: number): Promise<void> {
  console.log('start process');
  await new Promise((resolve) => setTimeout(resolve, x * 1000)); // time.sleep(x)
  console.log('end process');
}

if (isMainProcess()) {
  const pool = new Pool();
  await pool.apply(test, [2]);
  await pool.apply(test, [2]);
  console.log('main script');
  console.log('end main script');
}
