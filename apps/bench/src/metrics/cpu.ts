import type { SystemAdapter } from '../systems/adapter.js';
import { fib } from '../tasks.js';
import type { Sample, Settings } from '../types.js';
import { elapsedMs, expectEqual, openPool, warmUp } from './common.js';

/** The fastest of `rounds` timings of `body`, in ms. */
async function fastestOf(rounds: number, body: () => unknown): Promise<number> {
  let fastest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    await body();
    fastest = Math.min(fastest, elapsedMs(start));
  }
  return fastest;
}

/**
 * `cpu`: K × fib(n), first one after the other in this process, then all at once on the pool;
 * the speedup is serial time / pool time (at most the number of workers, 2.0 here). Each side is
 * timed in several rounds and keeps its fastest: on a shared 2-core machine one descheduling of
 * the serial loop would otherwise show as a speedup above 2. The first round also warms the JIT.
 */
export async function measureCpu(system: SystemAdapter, settings: Settings): Promise<Sample[]> {
  const { fibN, fibTasks, cpuRounds } = settings;
  const expected = fib(fibN);
  const serialMs = await fastestOf(cpuRounds, () => {
    for (let i = 0; i < fibTasks; i++) expectEqual(fib(fibN), expected, 'serial fib');
  });

  const pool = openPool(() => system.createPool(settings.workers));
  await warmUp(pool, settings.workers);
  const poolMs = await fastestOf(cpuRounds, async () => {
    const pending: PromiseLike<unknown>[] = [];
    for (let i = 0; i < fibTasks; i++) pending.push(pool.run('fib', fibN));
    const results = await Promise.all(pending);
    expectEqual(results[fibTasks - 1], expected, 'pool fib');
  });
  return [{ metric: 'cpu', value: serialMs / poolMs, unit: 'x' }];
}
