// Poolifier passes one `data` value to a task function; these wrap the shared tasks for its types.
import type { TaskFunctions } from 'poolifier';
import { echo, fib, inc, square, squareChunk } from '../tasks.js';

export const poolifierTasks: TaskFunctions<unknown, unknown> = {
  inc: (data) => inc(data as number),
  square: (data) => square(data as number),
  squareChunk: (data) => squareChunk(data as number[]),
  fib: (data) => fib(data as number),
  echo: (data) => echo(data),
};
