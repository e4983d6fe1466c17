/**
 * Ports reference tutorial 002, "Multiprocessing using Pool in Python" (BlogsDope), the `apply_async`
 * example: `applyAsync` returns an AsyncResult at once, so both calls run together while the main
 * script goes on; `wait()` then waits for each (it also takes a timeout, in milliseconds).
 *
 * Prints `main script` and `end main script` first (the workers take longer to start than the main
 * script takes to print), two `start process`, and after two seconds two `end process`.
 */
import { isMainProcess, Pool } from '@mproc/core';

export async function test(x: number): Promise<void> {
  console.log('start process');
  await new Promise((resolve) => setTimeout(resolve, x * 1000)); // time.sleep(x)
  console.log('end process');
}

if (isMainProcess()) {
  const pool = new Pool();
  const a = pool.applyAsync(test, [2]);
  const b = pool.applyAsync(test, [2]);
  console.log('main script');
  console.log('end main script');
  await a.wait();
  await b.wait();
}
