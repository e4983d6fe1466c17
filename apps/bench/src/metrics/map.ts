import type { PoolHandle, SystemAdapter } from '../systems/adapter.js';
import type { Sample, Settings } from '../types.js';
import { elapsedMs, expectEqual, openPool, warmUp } from './common.js';

/** Python's default `Pool.map` chunksize: ceil(n / (4 * workers)). */
export function pythonDefaultChunksize(items: number, workers: number): number {
  return Math.max(1, Math.ceil(items / (4 * workers)));
}

/**
 * For systems without a map: chunks of Python's default size, one task per chunk, all in flight,
 * results joined in input order. Chunking is timed, as it is part of any map's work.
 */
async function chunkedMap(pool: PoolHandle, items: number[], workers: number): Promise<unknown[]> {
  const size = pythonDefaultChunksize(items.length, workers);
  const pending: PromiseLike<unknown>[] = [];
  for (let i = 0; i < items.length; i += size)
    pending.push(pool.run('squareChunk', items.slice(i, i + size)));
  const chunks = (await Promise.all(pending)) as unknown[][];
  return chunks.flat();
}

/** `map`: `x => x * x` over N integers with the library's own map and default chunksize if it has one. */
export async function measureMap(system: SystemAdapter, settings: Settings): Promise<Sample[]> {
  const items = Array.from({ length: settings.mapItems }, (_, i) => i);
  const pool = openPool(() => system.createPool(settings.workers));
  await warmUp(pool, settings.workers);
  const start = performance.now();
  const results = pool.map
    ? await pool.map('square', items)
    : await chunkedMap(pool, items, settings.workers);
  const seconds = elapsedMs(start) / 1000;
  const last = items.length - 1;
  expectEqual(results.length, items.length, 'map length');
  expectEqual(results[last], last * last, 'the last square');
  return [{ metric: 'map', value: items.length / seconds, unit: 'items/s' }];
}
