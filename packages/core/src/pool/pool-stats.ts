/** The shape of `pool.stats()` and `executor.stats()`: a plain object, made fresh on each call. */
import type { TimeSummary } from './time-summary.js';

export type { TimeSummary } from './time-summary.js';

/**
 * A snapshot of a pool's workers and tasks. A task here is one job: one `apply`/`applyAsync`/`submit`
 * call, or one chunk of a `map`-like call (a chunk of `chunksize` items runs as one message).
 */
export interface PoolStats {
  /** The workers now. */
  readonly workers: {
    /** Live workers, starting and stopping ones included. */
    readonly total: number;
    /** Workers holding at least one task. */
    readonly busy: number;
    /** `total - busy`. */
    readonly idle: number;
  };
  /** Tasks now (queued, running) and since the pool started (completed, failed, cancelled). */
  readonly tasks: {
    /** Waiting in the pool's queue for a worker (what `maxQueue` bounds). */
    readonly queued: number;
    /** Taken by a worker: running, or sent ahead to wait behind its running one. */
    readonly running: number;
    /** Finished with a value. */
    readonly completed: number;
    /**
     * Ended with an error once a worker had taken them (the task threw, its worker died, its timeout
     * ran out, it was aborted or the pool terminated while it ran), or could not be sent.
     */
    readonly failed: number;
    /**
     * Dropped before any worker took them (abort, `Future.cancel()`, a failed map's other chunks,
     * terminate, a broken pool).
     */
    readonly cancelled: number;
  };
  /** How long a task held its worker, from its start (or its predecessor's answer) to its answer. */
  readonly runTime: TimeSummary;
  /** How long a task waited in the pool's queue before it was sent to a worker. */
  readonly waitTime: TimeSummary;
  /** Run time summed over tasks / (time since the pool started × its number of workers), 0 to 1. */
  readonly utilization: number;
}
