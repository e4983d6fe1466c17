// Worker module for piscina: every named export is a task, chosen with `run(arg, { name })`.
import { move } from 'piscina';

export { echo, fib, inc, square, squareChunk } from '../tasks.js';

/** Returns the array moved, not copied (piscina transfers what `move()` marks). */
export function echoMoved(data: Uint8Array): unknown {
  return move(data);
}
