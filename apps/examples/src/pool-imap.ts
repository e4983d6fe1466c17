/**
 * Ports reference tutorial 002, "Multiprocessing using Pool in Python" (BlogsDope), the `imap`
 * example: each result is shown as soon as it and the ones before it are ready, instead of waiting
 * for all of them as `map` does.
 *
 * `pool.imap()` returns an async iterator, so Python's `for i in a:` becomes `for await`. The result
 * lines come in input order: `showing the result as it is ready 0`, then 1, 4, 9, 16; how they
 * interleave with the task lines depends on the number of CPUs.
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
  const a = pool.imap(square, range(0, 5));
  for await (const i of a) {
    console.log(`showing the result as it is ready ${i}`);
  }
}

/** Python's `range(start, stop)`: lazy, as `imap` consumes it. */
function* range(start: number, stop: number): Generator<number> {
  for (let i = start; i < stop; i++) yield i;
}
