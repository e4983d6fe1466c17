/**
 * Tutorial 001, "A Comprehensive Guide to Multiprocessing in Python" (section "Parallel Execution with
 * Process Pools"), suggests trying `imap_unordered()` without showing it; this is reference tutorial
 * 002's `imap` example (see pool-imap.ts) with `imapUnordered`: results come in the order the tasks
 * finish, not in input order.
 *
 * The tasks here sleep longer for smaller inputs (5 - x seconds / 5), so on two or more workers the
 * results arrive out of input order. Prints one `showing the result as it is ready N` line per input;
 * their order depends on timing, the set is always {0, 1, 4, 9, 16}.
 */
import { isMainProcess, Pool } from '@mproc/core';

export async function square(x: number): Promise<number> {
  console.log(`start process ${x}`);
  const square = x * x;
  await new Promise((resolve) => setTimeout(resolve, ((5 - x) * 1000) / 5)); // time.sleep((5 - x) / 5)
  console.log(`end process ${x}`);
  return square;
}

if (isMainProcess()) {
  await using pool = new Pool();
  for await (const i of pool.imapUnordered(square, range(0, 5))) {
    console.log(`showing the result as it is ready ${i}`);
  }
}

/** Python's `range(start, stop)`: lazy, as `imapUnordered` consumes it. */
function* range(start: number, stop: number): Generator<number> {
  for (let i = start; i < stop; i++) yield i;
}
