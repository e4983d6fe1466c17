/**
 * Follows the prose of reference tutorial 002, "Multiprocessing using Pool in Python" (BlogsDope),
 * on the Pool constructor (`Pool(processes, initializer, initargs, maxtasksperchild, context)`), which
 * has no code of its own: `initializer(...initArgs)` runs once in each worker before its first task,
 * and after `maxTasksPerChild` tasks a worker exits and a new one replaces it.
 *
 * Two workers, six tasks one at a time (chunksize 1), at most two tasks per worker: at least three
 * workers run them. Prints `Results: [hello 1, hello 2, hello 3, hello 4, hello 5, hello 6]` and then
 * the workers that ran them (their names depend on timing).
 */
import { currentProcess, isMainProcess, Pool } from '@mproc/core';

// Module state of each worker, set by the initializer (a worker imports this module once).
let greeting = '';

export function init(word: string): void {
  greeting = word;
}

export function greet(x: number): [text: string, worker: string] {
  return [`${greeting} ${x}`, currentProcess().name];
}

if (isMainProcess()) {
  await using pool = new Pool({ processes: 2, initializer: init, initArgs: ['hello'], maxTasksPerChild: 2 });
  const results = await pool.map(greet, [1, 2, 3, 4, 5, 6], 1);
  console.log(`Results: [${results.map(([text]) => text).join(', ')}]`);
  const workers = [...new Set(results.map(([, worker]) => worker))];
  console.log(`Workers: ${workers.length} (${workers.join(', ')})`);
}
