/**
 * Ports reference tutorial 001, "A Comprehensive Guide to Multiprocessing in Python", section
 * "Handling Exceptions and Errors" / "apply_async() and ExceptionPool": one `applyAsync` per task,
 * then `get()` on each result in turn; the task with value 0 raises `ValueError`.
 *
 * The tutorial's prose says the failing task is skipped and the output holds the other results (and it
 * names an `ExceptionPool` class that Python does not have). That is not what its program does: in
 * Python, `result.get()` re-raises the worker's ValueError, the `with` block terminates the pool, and
 * the script dies with a traceback before printing "Output:". This port does the same: `get()` rejects
 * with the worker's error (same name and message, the worker-side stack), `await using` terminates the
 * pool, and Node reports the uncaught `Error [ValueError]: Invalid task value` and exits with code 1.
 * Catch the error around `get()` (try/catch, or an `errorCallback`) to handle it instead.
 */
import { isMainProcess, Pool } from '@mproc/core';

/** Python's ValueError; JS has no such built-in class. */
class ValueError extends Error {}
ValueError.prototype.name = 'ValueError';

export function worker(task: number): number {
  if (task === 0) {
    throw new ValueError('Invalid task value');
  }
  return task * 2;
}

if (isMainProcess()) {
  const tasks = [1, 2, 0, 4, 5];

  let output: number[];
  {
    await using pool = new Pool();
    const results = tasks.map((task) => pool.applyAsync(worker, [task]));
    output = [];
    for (const result of results) output.push(await result.get());
  }

  console.log(`Output: [${output.join(', ')}]`);
}
