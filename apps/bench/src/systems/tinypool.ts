import { Tinypool } from 'tinypool';
import type { PoolHandle, SystemAdapter } from './adapter.js';
import { workerPath } from './worker-path.js';

/**
 * tinypool with either runtime. The child_process runtime gets `serialization: 'advanced'`: with
 * Node's default (JSON) a Uint8Array comes back as a plain object, and mproc carries structured-clone
 * values, so both sides then move the same kinds of values. It also gets `env: process.env`: without
 * `env`, tinypool starts its child processes with an environment of one variable of its own, where
 * every other system's workers inherit the parent's. Node reads some variables at start-up (Node 20
 * parses the whole `NODE_EXTRA_CA_CERTS` bundle, about 40 ms per process), so an empty environment
 * would make start-up figures incomparable.
 */
export function loadTinypool(runtime: 'worker_threads' | 'child_process'): SystemAdapter {
  return {
    createPool(workers: number): PoolHandle {
      const pool = new Tinypool({
        filename: workerPath('tinypool-worker'),
        runtime,
        minThreads: workers,
        maxThreads: workers,
        ...(runtime === 'child_process'
          ? { serialization: 'advanced' as const, env: process.env as Record<string, string> }
          : {}),
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
