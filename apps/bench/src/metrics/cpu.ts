import type { SystemAdapter } from '../systems/adapter.js';
import { fib } from '../tasks.js';
import type { Sample, Settings } from '../types.js';
import { elapsedMs, expectEqual, openPool, warmUp } from './common.js';

/**
 * `cpu`: K × fib(n), first one after the other in this process, then all at once on the pool;
 * the speedup is serial time / pool time (at most the number of workers, 2.0 here). Both sides
 * are warmed up first so the JIT and worker start-up are not measured.
 */
export async function measureCpu(system: SystemAdapter, settings: Settings): Promise<Sample[]> {
  const { fibN, fibTasks } = settings;
  const expected = fib(fibN); // also warms up the parent's JIT
  let start = performance.now();
  for (let i = 0; i < fibTasks; i++) expectEqual(fib(fibN), expected, 'serial fib');
  const serialMs = elapsedMs(start);

  const pool = openPool(() => system.createPool(settings.workers));
  await warmUp(pool, settings.workers);
  start = performance.now();
  const pending: PromiseLike<unknown>[] = [];
  for (let i = 0; i < fibTasks; i++) pending.push(pool.run('fib', fibN));
  const results = await Promise.all(pending);
  const poolMs = elapsedMs(start);
  expectEqual(results[fibTasks - 1], expected, 'pool fib');
  return [{ metric: 'cpu', value: serialMs / poolMs, unit: 'x' }];
}
