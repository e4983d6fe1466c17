/**
 * Helpers of the Queue, Pipe and Manager suites: every wait has an explicit bound, and every worker a
 * test starts is stopped afterwards, whatever the test did.
 */
import type { Context, Pool, PoolOptions, Process, ProcessOptions } from '@mproc/core';

/** Bound of any single wait in these suites, in ms. */
export const BOUND = 10_000;

/** `promise`, or a rejection naming `what` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The rejection of `promise` (within BOUND), or a failure when it fulfils. */
export async function rejectionOf(promise: PromiseLike<unknown>, what = 'the call'): Promise<Error> {
  return within(
    Promise.resolve(promise).then(
      (value) => {
        throw new Error(`expected ${what} to fail, got ${String(value)}`);
      },
      (error: unknown) => error as Error,
    ),
    BOUND,
    what,
  );
}

/** What `withWorkers` gives a test: factories whose pools and processes are stopped afterwards. */
export interface Workers {
  pool(options?: Omit<PoolOptions, 'context'>): Pool;
  process<A extends unknown[]>(options: Omit<ProcessOptions<A>, 'context'>): Process<A>;
}

/** Runs `body`; then terminates every pool it made and kills and joins every process still alive. */
export async function withWorkers(
  context: Context,
  body: (workers: Workers) => Promise<void>,
): Promise<void> {
  const pools: Pool[] = [];
  const processes: Process[] = [];
  try {
    await body({
      pool: (options = {}) => {
        const pool = context.Pool(options);
        pools.push(pool);
        return pool;
      },
      process: (options) => {
        const child = context.Process(options);
        processes.push(child as unknown as Process);
        return child;
      },
    });
  } finally {
    await Promise.all(pools.map((pool) => pool.terminate()));
    for (const child of processes) {
      try {
        if (!child.isAlive()) continue;
        child.kill();
        await child.join(BOUND);
      } catch {
        // closed, or never started
      }
    }
  }
}

/** Runs `body` with a pool of `context`, terminated afterwards whatever the test did. */
export async function withPool(
  context: Context,
  options: Omit<PoolOptions, 'context'>,
  body: (pool: Pool) => Promise<void>,
): Promise<void> {
  const pool = context.Pool(options);
  try {
    await body(pool);
  } finally {
    await pool.terminate();
  }
}
