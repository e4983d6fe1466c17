/**
 * Follows the prose of reference tutorial 004, "Using the ProcessPoolExecutor for Managing Process
 * Pools", section "Shutdown and Context Management", which has no code for `shutdown(wait=False)`:
 * the executor stops taking new tasks and `shutdown()` returns at once, without waiting for the
 * running tasks. As in Python, the futures already submitted still run to the end (unless
 * `cancelFutures: true`), and the process stays alive until they are done.
 *
 * Prints, in this order: `shutdown returned; done: 0 of 3`, the refusal of a later `submit`, then
 * `Results: [1, 4, 9]`.
 */
import { isMainProcess, ProcessPoolExecutor } from '@mproc/core';

/** A slow square: each task takes half a second. */
export async function slowSquare(n: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 500)); // time.sleep(0.5)
  return n * n;
}

if (isMainProcess()) {
  const executor = new ProcessPoolExecutor({ maxWorkers: 2 });
  const futures = [1, 2, 3].map((n) => executor.submit(slowSquare, n));

  await executor.shutdown({ wait: false });
  const done = futures.filter((future) => future.done()).length;
  console.log(`shutdown returned; done: ${done} of ${futures.length}`);

  // Python raises at the call; here the future fails, as every refusal of a closed pool rejects.
  try {
    await executor.submit(slowSquare, 4);
  } catch (error) {
    console.log(`submit after shutdown: ${(error as Error).name}: ${(error as Error).message}`);
  }

  const results = [];
  for (const future of futures) results.push(await future.result());
  console.log(`Results: [${results.join(', ')}]`);
}
