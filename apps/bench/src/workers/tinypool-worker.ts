// Worker module for tinypool (both runtimes): every named export is a task, chosen with `run(arg, { name })`.
import { Tinypool } from 'tinypool';

export { echo, fib, inc, square, squareChunk } from '../tasks.js';

/** Returns the array moved, not copied (tinypool transfers what `Tinypool.move()` marks). */
export function echoMoved(data: Uint8Array): unknown {
  return Tinypool.move(data);
}
