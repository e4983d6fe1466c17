/**
 * Ports reference tutorial 001, "Creating and Managing Processes", first example: a Process whose
 * target prints a message, started but not joined. As in Python, the script still ends only after the
 * child: a non-daemonic child keeps its parent alive until it ends.
 *
 * Prints `Worker process executing`.
 */
import { isMainProcess, Process } from '@mproc/core';

export function worker(): void {
  console.log('Worker process executing');
}

if (isMainProcess()) {
  const workerProcess = new Process({ target: worker });
  await workerProcess.start();
}
