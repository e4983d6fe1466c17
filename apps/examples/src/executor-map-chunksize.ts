/**
 * Ports reference tutorial 004, "Using the ProcessPoolExecutor for Managing Process Pools", section
 * "The chunksize Parameter in map()": 0..99 cut by hand into ten chunks of ten, each chunk one task
 * that sleeps 0.1 s and doubles its items; then the same with `chunksize: 1`, which the tutorial
 * notes is the default (each task still gets one hand-made chunk).
 *
 * Prints the ten doubled chunks and `Total execution time: ...`, twice.
 */
import { isMainProcess, ProcessPoolExecutor } from '@mproc/core';

/** Simulates processing a chunk of data. */
export async function processData(dataChunk: number[]): Promise<number[]> {
  await new Promise((resolve) => setTimeout(resolve, 100)); // time.sleep(0.1): simulate some work
  return dataChunk.map((x) => x * 2);
}

if (isMainProcess()) {
  const data = range(0, 100);
  // [data[i:i + 10] for i in range(0, len(data), 10)]: manually chunking the data
  const chunks = range(0, data.length, 10).map((i) => data.slice(i, i + 10));

  let startTime = performance.now();

  {
    await using executor = new ProcessPoolExecutor({ maxWorkers: 4 });
    const results = executor.map(processData, chunks);

    for await (const resultChunk of results) {
      console.log(`[${resultChunk.join(', ')}]`);
    }
  }

  let endTime = performance.now();

  console.log(`Total execution time: ${(endTime - startTime) / 1000}`);

  // Equivalent using chunksize
  startTime = performance.now();

  {
    await using executor = new ProcessPoolExecutor({ maxWorkers: 4 });
    const results = executor.map(processData, chunks, { chunksize: 1 }); // chunksize 1 is the default

    for await (const resultChunk of results) {
      console.log(`[${resultChunk.join(', ')}]`);
    }
  }

  endTime = performance.now();

  console.log(`Total execution time: ${(endTime - startTime) / 1000}`);
}

/** Python's `range(start, stop, step)` as an array. */
function range(start: number, stop: number, step = 1): number[] {
  return Array.from({ length: Math.ceil((stop - start) / step) }, (_, index) => start + index * step);
}
