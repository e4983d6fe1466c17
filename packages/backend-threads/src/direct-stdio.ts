/**
 * A worker thread's `process.stdout`/`stderr` normally travel to the parent thread as messages and
 * are written there later: lines can then appear after results the parent received afterwards, and
 * are lost when the thread is terminated. Writing straight to file descriptors 1 and 2, as a child
 * process does, keeps output ordered before the task's answer and never loses it.
 */
import { writeSync } from 'node:fs';

function writeAll(fd: number, data: Uint8Array): void {
  for (let offset = 0; offset < data.length; ) {
    try {
      offset += writeSync(fd, data, offset);
    } catch (error) {
      // A non-blocking pipe that is full: try again until the reader catches up.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

export function writeStdioDirectly(): void {
  for (const [stream, fd] of [
    [process.stdout, 1],
    [process.stderr, 2],
  ] as const) {
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
      const done = typeof encoding === 'function' ? encoding : callback;
      const bytes =
        typeof chunk === 'string'
          ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
          : chunk;
      writeAll(fd, bytes);
      if (typeof done === 'function') queueMicrotask(() => done());
      return true;
    }) as typeof stream.write;
  }
}
