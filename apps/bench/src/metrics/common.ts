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

/** Pools this child opened; child-main.ts closes them after the result is reported. */
const openPools = new Set<PoolHandle>();

/** Constructs a pool and remembers it for `closeAll`. */
export function openPool(create: () => PoolHandle): PoolHandle {
  const pool = create();
  openPools.add(pool);
  return pool;
}

/**
 * Closes every pool this child opened, waiting at most `timeoutMs`. This runs after the result is
 * out, so a close that never settles (poolifier 5.3.2's `destroy()` sometimes does not) costs no
 * measurement; the runner then kills the child's process group, leftover workers included.
 */
export async function closeAll(timeoutMs = 1_000): Promise<void> {
  const closing = Promise.all([...openPools].map((pool) => pool.close().catch(() => undefined)));
  openPools.clear();
  await Promise.race([closing, sleep(timeoutMs)]); // a ref'd timer: keeps this process alive meanwhile
}
