/**
 * Python's `zip(*iterables)` cut into chunks, for `ProcessPoolExecutor.map`: tuples stop at the
 * shortest input, and the other inputs are closed (`return()`) when the tuples end, as `for...of`
 * closes what it leaves early.
 */
import { reader } from '../pool/chunking.js';

export type Input<T = unknown> = Iterable<T> | AsyncIterable<T>;

function close(iterators: ReadonlyArray<Iterator<unknown> | AsyncIterator<unknown>>): void {
  // Closing is best effort: an input that fails to close must not hide the results or the error.
  for (const iterator of iterators) {
    try {
      Promise.resolve(iterator.return?.()).catch(() => undefined);
    } catch {
      // a sync return() that throws
    }
  }
}

/** Argument tuples of sync inputs, `chunksize` at a time. */
export function* zipChunks(inputs: readonly Iterable<unknown>[], chunksize: number): Generator<unknown[][]> {
  const iterators = inputs.map((input) => input[Symbol.iterator]());
  let exhausted = false;
  try {
    while (!exhausted) {
      const chunk: unknown[][] = [];
      while (chunk.length < chunksize) {
        const tuple: unknown[] = [];
        for (const iterator of iterators) {
          const step = iterator.next();
          if (step.done) break;
          tuple.push(step.value);
        }
        if (tuple.length < iterators.length) {
          exhausted = true;
          break;
        }
        chunk.push(tuple);
      }
      if (chunk.length > 0) yield chunk;
    }
  } finally {
    close(iterators);
  }
}

/** Argument tuples of inputs of which some are async, `chunksize` at a time. */
export async function* zipChunksAsync(
  inputs: readonly Input[],
  chunksize: number,
): AsyncGenerator<unknown[][]> {
  const iterators = inputs.map((input) => reader(input));
  let exhausted = false;
  try {
    while (!exhausted) {
      const chunk: unknown[][] = [];
      while (chunk.length < chunksize) {
        const tuple: unknown[] = [];
        for (const iterator of iterators) {
          const step = await iterator.next();
          if (step.done) break;
          tuple.push(step.value);
        }
        if (tuple.length < iterators.length) {
          exhausted = true;
          break;
        }
        chunk.push(tuple);
      }
      if (chunk.length > 0) yield chunk;
    }
  } finally {
    close(iterators);
  }
}
