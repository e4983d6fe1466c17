/**
 * The CPU-bound operation of reference tutorial 003 (its `concurrency.operations.cpu_bound` module),
 * and the logging set-up its examples share.
 */

/**
 * Iteration count of the tutorial's Pool examples. Node runs 50,000,000 of them in about 30 ms where
 * Python takes about a second; MPROC_EXAMPLE_ITERATIONS overrides it (the tests set it lower).
 */
export const ITERATIONS = Number(process.env.MPROC_EXAMPLE_ITERATIONS || 50_000_000);

/** Seconds on the system-wide monotonic clock, as Python's `time.perf_counter()`: comparable across workers. */
export function perfCounter(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/** CPU-bound task: sums `0..n-1` and returns the start and finish times. */
export function cpuBoundOperation(n: number): [start: number, finish: number] {
  const start = perfCounter();
  // biome-ignore lint/correctness/noUnusedVariables: as in the tutorial, the sum is only work to time
  let count = 0;
  for (let i = 0; i < n; i++) {
    count += i;
  }
  const finish = perfCounter();
  return [start, finish];
}

/** `logging.basicConfig(format="%(asctime)s: %(message)s", datefmt="%H:%M:%S")` then `logging.info`. */
export function log(message: string): void {
  console.log(`${new Date().toTimeString().slice(0, 8)}: ${message}`);
}

/** A `[start, finish]` pair as Python prints the tuple: `(start, finish)`. */
export function formatTime([start, finish]: readonly [number, number]): string {
  return `(${start}, ${finish})`;
}

/** A list of `[time]` lists as Python prints it: `[[(start, finish)], ...]`. */
export function formatResults(results: readonly (readonly [number, number])[][]): string {
  return `[${results.map((times) => `[${times.map(formatTime).join(', ')}]`).join(', ')}]`;
}
