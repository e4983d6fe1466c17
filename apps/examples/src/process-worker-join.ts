/**
 * Ports reference tutorial 001, "Creating and Managing Processes", second example: the same Process,
 * and `await join()` waits until the child has finished before the main script goes on.
 *
 * Prints `Worker process executing`, then `Main process completed`.
 */
import { isMainProcess, Process } from '@mproc/core';

export function worker(): void {
  console.log('Worker process executing');
}

if (isMainProcess()) {
  const workerProcess = new Process({ target: worker });
  await workerProcess.start();
  await workerProcess.join();
  console.log('Main process completed');
}
