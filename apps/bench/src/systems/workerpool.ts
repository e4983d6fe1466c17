import workerpool from 'workerpool';
import type { PoolHandle, SystemAdapter } from './adapter.js';
import { workerPath } from './worker-path.js';

/**
 * workerpool with `workerType` thread or process; fixed size via min = max workers. Process workers
 * get `serialization: 'advanced'` for the same reason as tinypool's (see tinypool.ts).
 */
export function loadWorkerpool(workerType: 'thread' | 'process'): SystemAdapter {
  return {
    createPool(workers: number): PoolHandle {
      const pool = workerpool.pool(workerPath('workerpool-worker'), {
        workerType,
        minWorkers: workers,
        maxWorkers: workers,
        ...(workerType === 'process' ? { forkOpts: { serialization: 'advanced' as const } } : {}),
      });
      const handle: PoolHandle = {
        run: (task, arg) => pool.exec(task, [arg]),
        close: async () => {
          await pool.terminate();
        },
      };
      if (workerType === 'thread') {
        handle.runMoved = (data) =>
          pool.exec('echoMoved', [data], { transfer: [data.buffer] }) as PromiseLike<Uint8Array>;
      }
      return handle;
    },
  };
}
