/**
 * Follows the prose of reference tutorial 002, "Multiprocessing using Pool in Python" (BlogsDope),
 * after its `map_async` and `apply_async` examples, which has no code of its own: `get(timeout)`
 * raises a timeout error when the result is not there in time, `ready()` says whether the call has
 * completed, and `successful()` whether it completed without raising, and raises when the result is
 * not ready yet (ValueError in Python 3.7+; here `InvalidStateError`).
 *
 * Timeouts are in milliseconds: Python's `get(0.5)` is `get(500)` here. The task goes on after a
 * `get()` timeout, as in Python. Prints:
 *   ready: false
 *   successful: InvalidStateError
 *   get(500): TimeoutError
 *   result: 4
 *   ready: true
 *   successful: true
 *   failing ready: true
 *   failing successful: false
 *   failing get: ValueError: x must not be negative
 */
import { isMainProcess, Pool } from '@mproc/core';

/** Python's ValueError; JS has no such built-in class. */
class ValueError extends Error {}
ValueError.prototype.name = 'ValueError';

export async function test(x: number): Promise<number> {
  if (x < 0) throw new ValueError('x must not be negative');
  await new Promise((resolve) => setTimeout(resolve, x * 1000)); // time.sleep(x)
  return x * x;
}

if (isMainProcess()) {
  await using pool = new Pool();
  const result = pool.applyAsync(test, [2]);
  console.log(`ready: ${result.ready()}`);
  try {
    result.successful();
  } catch (error) {
    console.log(`successful: ${(error as Error).name}`);
  }
  try {
    await result.get(500);
  } catch (error) {
    console.log(`get(500): ${(error as Error).name}`);
  }
  console.log(`result: ${await result.get()}`);
  console.log(`ready: ${result.ready()}`);
  console.log(`successful: ${result.successful()}`);

  const failing = pool.applyAsync(test, [-1]);
  await failing.wait();
  console.log(`failing ready: ${failing.ready()}`);
  console.log(`failing successful: ${failing.successful()}`);
  try {
    await failing.get();
  } catch (error) {
    console.log(`failing get: ${String(error)}`);
  }
}
