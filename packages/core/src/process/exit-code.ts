/** How a Process's `exitCode` is read from the way its worker ended, the same on every backend. */
import { constants } from 'node:os';
import type { WorkerExit } from '../backend.js';

const SIGNAL_NUMBERS: Readonly<Record<string, number | undefined>> = constants.signals;

/**
 * Python's `Process.exitcode` for a worker that ended: minus the number of the signal that ended it
 * (`-15` after `terminate()`, `-9` after `kill()`: the threads backend reports those signals for its
 * own stops), else the code it exited with (`0` when the target returned, `1` when it threw, `n` after
 * `process.exit(n)`). A worker that could not be started at all reads as `1`.
 */
export function exitCodeOf(exit: WorkerExit): number {
  if (exit.signal !== null) {
    const number = SIGNAL_NUMBERS[exit.signal];
    if (number !== undefined) return -number;
  }
  return exit.exitCode ?? 1;
}

/** `exited with code 3` / `was killed by SIGTERM`, for error messages. */
export function describeExit(exit: WorkerExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
}
