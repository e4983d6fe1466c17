/**
 * What users of piscina, tinypool and poolifier expect of a pool, with Python's defaults kept
 * (docs/pool-features.md): `stats()`, events, a bounded backlog (`maxQueue`) and an AbortSignal on
 * the executor's calls. Run once per backend; every wait is bounded, by BOUND or the test's limit.
 */

import {
  type BackendCapabilities,
  type Context,
  getContext,
  type ProcessPoolExecutor,
  type ProcessPoolExecutorOptions,
  type StartMethod,
} from '@mproc/core';
import { describe, expect, it } from 'vitest';
import { BOUND, rejectionOf, withPool } from './bounded.js';
import { sleepThen } from './tasks.js';

const failWith = (message: string): never => {
  throw new RangeError(message);
};

async function withExecutor(
  context: Context,
  options: Omit<ProcessPoolExecutorOptions, 'mpContext'>,
  body: (executor: ProcessPoolExecutor) => Promise<void>,
): Promise<void> {
  const executor = context.ProcessPoolExecutor(options);
  try {
    await body(executor);
  } finally {
    await executor.shutdown({ wait: true, cancelFutures: true });
  }
}

export function poolFeaturesSuite(method: StartMethod, _capabilities: BackendCapabilities): void {
  const context = getContext(method);

  describe('pool features: stats', () => {
    it('Pool.stats() counts workers and tasks, and summarises run and wait times', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const empty = pool.stats();
        expect(empty.tasks).toEqual({ queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0 });
        expect(empty.runTime).toEqual({ count: 0, mean: 0, min: 0, max: 0, p50: 0, p99: 0 });
        expect(await pool.apply(() => 'warm')).toBe('warm');

        const slow = pool.apply(sleepThen, [300, 'slow']);
        const quick = [pool.apply(() => 1), pool.apply(() => 2)];
        const during = pool.stats();
        expect(during.tasks.queued + during.tasks.running).toBe(3);
        expect(during.tasks.running).toBeGreaterThanOrEqual(1);
        expect(during.workers).toEqual({ total: 1, busy: 1, idle: 0 });
        expect(await slow).toBe('slow');
        expect(await Promise.all(quick)).toEqual([1, 2]);
        expect(await rejectionOf(pool.apply(failWith, ['bad']))).toBeInstanceOf(RangeError);

        const after = pool.stats();
        expect(after.workers).toEqual({ total: 1, busy: 0, idle: 1 });
        expect(after.tasks).toEqual({ queued: 0, running: 0, completed: 4, failed: 1, cancelled: 0 });
        const { runTime, waitTime } = after;
        expect(runTime.count).toBe(5);
        expect(runTime.min).toBeLessThanOrEqual(runTime.p50);
        expect(runTime.p50).toBeLessThanOrEqual(runTime.p99);
        expect(runTime.p99).toBeLessThanOrEqual(runTime.max);
        expect(runTime.mean).toBeGreaterThan(0);
        // The 300 ms task held its worker at least that long; the tasks behind it waited for it.
        expect(runTime.max).toBeGreaterThanOrEqual(250);
        expect(waitTime.count).toBeGreaterThanOrEqual(5);
        expect(waitTime.max).toBeGreaterThanOrEqual(250);
        expect(after.utilization).toBeGreaterThan(0);
        expect(after.utilization).toBeLessThanOrEqual(1);
      }));

    it('Pool.stats(): a task aborted while queued counts as cancelled, a map chunk as one task', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const slow = pool.apply(sleepThen, [200, 'slow']);
        const controller = new AbortController();
        const aborted = pool.apply(() => 'never', [], { signal: controller.signal });
        controller.abort();
        await rejectionOf(aborted);
        expect(await slow).toBe('slow');
        expect(await pool.map((x: number) => x * 2, [1, 2, 3, 4], 2)).toEqual([2, 4, 6, 8]);
        expect(pool.stats().tasks).toEqual({ queued: 0, running: 0, completed: 3, failed: 0, cancelled: 1 });
      }));

    it('ProcessPoolExecutor.stats() counts futures: completed, failed, cancelled', () =>
      withExecutor(context, { maxWorkers: 1 }, async (executor) => {
        const slow = executor.submit(sleepThen, 200, 'slow');
        const cancelled = executor.submit(() => 'never');
        expect(cancelled.cancel()).toBe(true);
        const failed = executor.submit(failWith, 'bad');
        expect(await slow.result(BOUND)).toBe('slow');
        expect(await failed.exception(BOUND)).toBeInstanceOf(RangeError);
        const stats = executor.stats();
        expect(stats.tasks).toEqual({ queued: 0, running: 0, completed: 1, failed: 1, cancelled: 1 });
        expect(stats.workers.total).toBe(1);
        expect(stats.runTime.count).toBe(2);
      }));
  });
}
