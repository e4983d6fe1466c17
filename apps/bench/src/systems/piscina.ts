import { Piscina } from 'piscina';
import type { PoolHandle, SystemAdapter } from './adapter.js';
import { workerPath } from './worker-path.js';

/** piscina: worker_threads only; fixed size via min = max threads; defaults otherwise. */
export function loadPiscina(): SystemAdapter {
  return {
    createPool(workers: number): PoolHandle {
      const pool = new Piscina({
        filename: workerPath('piscina-worker'),
        minThreads: workers,
        maxThreads: workers,
      });
      return {
        run: (task, arg) => pool.run(arg, { name: task }),
        runMoved: (data) => pool.run(Piscina.move(data), { name: 'echoMoved' }),
        close: () => pool.destroy(),
      };
    },
  };
}
