import type { SystemAdapter } from '../systems/adapter.js';
import type { Sample, Settings } from '../types.js';
import { elapsedMs, expectEqual, openPool, warmUp } from './common.js';

/**
 * `tiny`: N tasks of `x => x + 1`, each submitted on its own and all in flight at once; measures
 * the per-task overhead of the pool (submit, dispatch, message both ways, settle).
 */
export async function measureTiny(system: SystemAdapter, settings: Settings): Promise<Sample[]> {
  const pool = openPool(() => system.createPool(settings.workers));
  await warmUp(pool, settings.workers);
  const count = settings.tinyTasks;
  const start = performance.now();
  const pending = new Array<PromiseLike<unknown>>(count);
  for (let i = 0; i < count; i++) pending[i] = pool.run('inc', i);
  const results = await Promise.all(pending);
  const seconds = elapsedMs(start) / 1000;
  expectEqual(results[count - 1], count, 'the last inc');
  return [{ metric: 'tiny', value: count / seconds, unit: 'tasks/s' }];
}
