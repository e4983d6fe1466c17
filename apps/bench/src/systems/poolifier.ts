import { FixedClusterPool, FixedThreadPool } from 'poolifier';
import type { PoolHandle, SystemAdapter } from './adapter.js';
import { workerPath } from './worker-path.js';

/**
 * poolifier's fixed pools with default options. The cluster pool gets `serialization: 'advanced'`
 * in its cluster settings for the same reason as tinypool's child processes (see tinypool.ts).
 * `map` uses poolifier's own `mapExecute` (one task per item; poolifier has no chunking).
 * poolifier transfers only toward the worker (results are copied back): `runMoved` does that.
 */
export function loadPoolifier(flavor: 'threads' | 'cluster'): SystemAdapter {
  return {
    createPool(workers: number): PoolHandle {
      const pool =
        flavor === 'threads'
          ? new FixedThreadPool<unknown, unknown>(workers, workerPath('poolifier-thread-worker'))
          : new FixedClusterPool<unknown, unknown>(workers, workerPath('poolifier-cluster-worker', '.cjs'), {
              settings: { serialization: 'advanced' },
            });
      const handle: PoolHandle = {
        run: (task, arg) => pool.execute(arg, task),
        map: (task, items) => pool.mapExecute(items, task),
        close: () => pool.destroy(),
      };
      if (flavor === 'threads') {
        handle.runMoved = (data) =>
          pool.execute(data, 'echo', undefined, [data.buffer as ArrayBuffer]) as PromiseLike<Uint8Array>;
      }
      return handle;
    },
  };
}
