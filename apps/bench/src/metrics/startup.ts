import type { SystemAdapter } from '../systems/adapter.js';
import type { Sample, Settings } from '../types.js';
import { elapsedMs, expectEqual, openPool } from './common.js';

/**
 * `startup`: from the pool's construction to the first result of `inc(1)`. The library is already
 * imported (that happens when the child loads the adapter), so this is worker start-up plus one
 * round trip.
 */
export async function measureStartup(system: SystemAdapter, settings: Settings): Promise<Sample[]> {
  const start = performance.now();
  const pool = openPool(() => system.createPool(settings.workers));
  const result = await pool.run('inc', 1);
  const ms = elapsedMs(start);
  expectEqual(result, 2, 'inc(1)');
  return [{ metric: 'startup', value: ms, unit: 'ms' }];
}
