/**
 * Ports reference tutorial 001, section "Sharing Data between Processes" / "Shared Memory Objects": a
 * child Process increments a `Value('i', 0)` that lives in memory shared with the parent, so the parent
 * reads the child's write.
 *
 * Prints `Value: 1`.
 */
import { isMainProcess, Process, Value } from '@mproc/core';

/** Adds one to the shared number (a read and a write: one child, so no lock is needed here). */
export function increment(sharedValue: Value): void {
  sharedValue.value += 1;
}

if (isMainProcess()) {
  const sharedValue = new Value('i', 0);
  const p = new Process({ target: increment, args: [sharedValue] });
  await p.start();
  await p.join();
  console.log(`Value: ${sharedValue.value}`);
}
