/**
 * The one small interface every benchmarked Node system implements. Metrics only talk to this, so a
 * new system is one adapter file plus one line in registry.ts.
 */

/** Tasks every system can run by name; they are defined once in ../tasks.ts. */
export type TaskName = 'inc' | 'square' | 'squareChunk' | 'fib' | 'echo';

export interface PoolHandle {
  /** Submits one task with one argument; the returned value settles with the task's result. */
  run(task: TaskName, arg: unknown): PromiseLike<unknown>;
  /**
   * Round trip of a byte array using the library's move/transfer API (both directions where the
   * library allows it). Absent when the library cannot move memory.
   */
  runMoved?(data: Uint8Array): PromiseLike<Uint8Array>;
  /** The library's own map with its default chunking. Absent: metrics submit chunks themselves. */
  map?(task: 'square', items: number[]): Promise<unknown[]>;
  /** The library's own lazy, ordered imap. Absent: metrics use a bounded submit loop. */
  imap?(task: 'square', items: Iterable<number>): AsyncIterable<unknown>;
  /** Stops the workers. */
  close(): Promise<void>;
}

export interface SystemAdapter {
  /** Constructs the pool. Workers start here (the startup metric times from this call). */
  createPool(workers: number): PoolHandle;
}
