import { setTimeout as sleep } from 'node:timers/promises';
import type { PoolHandle } from '../systems/adapter.js';

export { sleep };

export const MiB = 1024 * 1024;

/** Milliseconds since `start` (a `performance.now()` reading). */
export function elapsedMs(start: number): number {
  return performance.now() - start;
}

/**
 * Runs a few small CPU tasks, two per worker and all at once, so that timings exclude worker
 * start-up and the task code is loaded (and the JIT warm) in the workers that will be measured.
 */
export async function warmUp(pool: PoolHandle, workers: number): Promise<void> {
  const pending: PromiseLike<unknown>[] = [];
  for (let i = 0; i < workers * 2; i++) pending.push(pool.run('fib', 20));
  const results = await Promise.all(pending);
  expectEqual(results[0], 6765, 'fib(20)');
}

/** A wrong result means the system is broken, and its timing would be meaningless. */
export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) {
    throw new Error(`${what} returned ${String(actual)}, expected ${String(expected)}`);
  }
}

/**
 * Stops the pool but never lets a stuck shutdown hang the child: the measurement is already made
 * and the child exits right after, which ends its workers too.
 */
export async function closeQuietly(pool: PoolHandle, timeoutMs = 5_000): Promise<void> {
  const timer = sleep(timeoutMs, undefined, { ref: false });
  await Promise.race([pool.close().catch(() => undefined), timer]);
}

/** Runs `body` with a fresh pool and always closes it. */
export async function withPool<T>(
  create: () => PoolHandle,
  body: (pool: PoolHandle) => Promise<T>,
): Promise<T> {
  const pool = create();
  try {
    return await body(pool);
  } finally {
    await closeQuietly(pool);
  }
}
