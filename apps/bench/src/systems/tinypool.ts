import { Tinypool } from 'tinypool';
import type { PoolHandle, SystemAdapter } from './adapter.js';
import { workerPath } from './worker-path.js';

/**
 * tinypool with either runtime. The child_process runtime gets `serialization: 'advanced'`: with
 * Node's default (JSON) a Uint8Array comes back as a plain object, and mproc carries structured-clone
 * values, so both sides then move the same kinds of values.
 */
export function loadTinypool(runtime: 'worker_threads' | 'child_process'): SystemAdapter {
  return {
    createPool(workers: number): PoolHandle {
      const pool = new Tinypool({
        filename: workerPath('tinypool-worker'),
        runtime,
        minThreads: workers,
        maxThreads: workers,
        ...(runtime === 'child_process' ? { serialization: 'advanced' as const } : {}),
      });
      const handle: PoolHandle = {
        run: (task, arg) => pool.run(arg, { name: task }),
        close: () => pool.destroy(),
      };
      if (runtime === 'worker_threads') {
        handle.runMoved = (data) => pool.run(Tinypool.move(data), { name: 'echoMoved' });
      }
      return handle;
    },
  };
}
