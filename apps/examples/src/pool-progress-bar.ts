/**
 * Progress of a long `map`, drawn as a terminal progress bar with cli-progress. Not from the Python
 * tutorials: Python users reach for tqdm over `imap` here; the pool's `onProgress` option does the
 * same for `map`, with the items done as each chunk's results arrive.
 *
 * On a terminal it draws the bar on stderr (cli-progress draws nothing when stderr is not a
 * terminal), then prints `squared 400 numbers, sum 21253400`.
 */
import { isMainProcess, Pool } from '@mproc/core';
import cliProgress from 'cli-progress';

/** About 5 ms of CPU work per number. */
export function slowSquare(x: number): number {
  const until = performance.now() + 5;
  while (performance.now() < until);
  return x * x;
}

if (isMainProcess()) {
  const numbers = Array.from({ length: 400 }, (_, index) => index);
  const bar = new cliProgress.SingleBar({}, cliProgress.Presets.shades_classic);
  bar.start(numbers.length, 0);
  const pool = new Pool();
  const squares = await pool.map(slowSquare, numbers, {
    chunksize: 10,
    onProgress: ({ done }) => bar.update(done),
  });
  bar.stop();
  pool.close();
  console.log(`squared ${squares.length} numbers, sum ${squares.reduce((sum, square) => sum + square, 0)}`);
}
