import type { StartMethod } from '@mproc/core';
import { describe, expect, it } from 'vitest';
import { runSoak } from '../src/soak.js';

// The soak at a small size (`npm run soak` runs the full one): tasks go through a pool while workers
// are killed, and every task settles once, right or with WorkerExitedError. Kills wait for 500
// settled tasks each (runSoak's `between`), so a loaded machine's slow restarts do not starve the pool.
describe('soak, small', () => {
  for (const method of ['threads', 'fork', 'spawn', 'cluster'] as StartMethod[]) {
    it(`${method}: with workers killed every 150 ms, no task is lost or run twice`, async () => {
      const figures = await runSoak(method, {
        tiny: 20_000,
        big: 40,
        bigBytes: 2 ** 20,
        every: 150,
        window: 500,
      });
      expect(figures.lost).toBe(0);
      expect(figures.duplicated).toBe(0);
      expect(figures.kills).toBeGreaterThan(0);
      // A kill fails at most the task its worker was running (the jobs it held are sent elsewhere).
      expect(figures.failed).toBeLessThanOrEqual(figures.kills);
    }, 90_000); // beside the other packages' suites on 2 cores, restarts are slow
  }
});
