/**
 * The threads kind of region: a SharedArrayBuffer, which every worker thread of the process maps by
 * receiving it in a message. Words wait with `Atomics.waitAsync`, which never blocks the event loop.
 */
import type { RegionDescriptor, RegionFile, SharedRegion, WaitOutcome, WordWaiter } from './region.js';

type WaitAsync = (
  words: Int32Array,
  index: number,
  expected: number,
  milliseconds: number,
) => { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };

// ES2024's Atomics.waitAsync is in Node 20 but not in the ES2023 lib this package compiles against.
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

const keepAlive = () => {};

export const atomicsWaiter: WordWaiter = {
  async wait(words, index, expected, milliseconds): Promise<WaitOutcome> {
    const result = waitAsync(words, index, expected, milliseconds);
    if (!result.async) return result.value;
    // A pending waitAsync does not keep Node's event loop alive; a waiting acquire() must, as the
    // native futex wait (libuv work) does, or the process would exit under an unsettled promise.
    const timer = setTimeout(keepAlive, milliseconds + 1_000);
    try {
      return await result.value;
    } finally {
      clearTimeout(timer);
    }
  },
  waitSync(words, index, expected, milliseconds): WaitOutcome {
    return Atomics.wait(words, index, expected, milliseconds);
  },
  wake(words, index, count) {
    Atomics.notify(words, index, count);
  },
};

export class ThreadRegion implements SharedRegion {
  readonly kind = 'threads' as const;
  readonly id: string;
  readonly memory: SharedArrayBuffer;
  readonly waiter = atomicsWaiter;
  readonly file: RegionFile | undefined = undefined;

  private constructor(id: string, memory: SharedArrayBuffer) {
    this.id = id;
    this.memory = memory;
  }

  static allocate(id: string, byteLength: number): ThreadRegion {
    return new ThreadRegion(id, new SharedArrayBuffer(byteLength));
  }

  static adopt(id: string, memory: SharedArrayBuffer): ThreadRegion {
    return new ThreadRegion(id, memory);
  }

  get byteLength(): number {
    return this.memory.byteLength;
  }

  descriptor(): RegionDescriptor {
    return { kind: 'threads', id: this.id, buffer: this.memory };
  }
}
