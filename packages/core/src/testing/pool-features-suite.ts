/**
 * What users of piscina, tinypool and poolifier expect of a pool, with Python's defaults kept
 * (docs/pool-features.md): `stats()`, events, a bounded backlog (`maxQueue`) and an AbortSignal on
 * the executor's calls. Run once per backend; every wait is bounded, by BOUND or the test's limit.
 */

import { once } from 'node:events';
import {
  AbortError,
  type BackendCapabilities,
  BrokenProcessPool,
  CancelledError,
  type Context,
  getContext,
  type MapProgress,
  MprocError,
  type ProcessPoolExecutor,
  type ProcessPoolExecutorOptions,
  QueueFullError,
  type StartMethod,
  WorkerExitedError,
  type WorkerExitInfo,
  type WorkerInfo,
} from '@mproc/core';
import { describe, expect, it } from 'vitest';
import { BOUND, rejectionOf, within, withPool } from './bounded.js';
import { spawnParentScript, waitUntilGone } from './parent-process.js';
import { itLocally, REMOTE } from './remote-suite.js';
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

export function poolFeaturesSuite(method: StartMethod, capabilities: BackendCapabilities): void {
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

  describe('pool features: events', () => {
    it('worker-start and worker-exit: one exit per start, expected for workers the pool stops', async () => {
      const pool = context.Pool({ processes: 1, maxTasksPerChild: 1 });
      const starts: WorkerInfo[] = [];
      const exits: WorkerExitInfo[] = [];
      pool.on('worker-start', (worker) => starts.push(worker));
      pool.on('worker-exit', (worker) => exits.push(worker));
      try {
        expect(await pool.map((x: number) => x + 1, [1, 2, 3], 1)).toEqual([2, 3, 4]);
        pool.close();
        await pool.join();
      } finally {
        await pool.terminate();
      }
      // Three tasks, one task per worker: three workers at least, each stopped by the pool.
      expect(starts.length).toBeGreaterThanOrEqual(3);
      expect(exits.map((exit) => exit.workerId).sort()).toEqual(starts.map((start) => start.workerId).sort());
      for (const exit of exits) {
        expect(exit.expected).toBe(true);
        const start = starts.find((candidate) => candidate.workerId === exit.workerId);
        expect(start).toEqual({ workerId: exit.workerId, pid: exit.pid, ident: exit.ident });
      }
    });

    it('a worker that dies: worker-exit not expected, with its exit code; task-error with the error', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const exits: WorkerExitInfo[] = [];
        const errors: unknown[] = [];
        pool.on('worker-exit', (worker) => exits.push(worker));
        pool.on('task-error', (error) => errors.push(error));
        const error = await rejectionOf(pool.apply(() => process.exit(3)));
        expect(error).toBeInstanceOf(WorkerExitedError);
        expect(errors).toEqual([error]);
        expect(exits).toHaveLength(1);
        expect(exits[0]).toMatchObject({ exitCode: 3, expected: false });
        expect(await pool.apply(() => 'replaced')).toBe('replaced');
      }));

    it('task-error carries the error the result rejects with; a cancelled task emits none', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const errors: unknown[] = [];
        pool.on('task-error', (error) => errors.push(error));
        const slow = pool.apply(sleepThen, [200, 'slow']);
        const controller = new AbortController();
        const aborted = pool.apply(() => 'never', [], { signal: controller.signal });
        controller.abort();
        expect(await rejectionOf(aborted)).toBeInstanceOf(AbortError);
        expect(await slow).toBe('slow');
        const error = await rejectionOf(pool.apply(failWith, ['bad']));
        expect(error).toBeInstanceOf(RangeError);
        expect(errors).toEqual([error]);
        expect(errors[0]).toBe(error);
      }));

    it('drain: once the tasks that had to wait have all been handed to a worker', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        // The first task waits for the pool's start method to load, then for its worker.
        expect(await pool.apply(() => 0)).toBe(0);
        const queuedAtDrain: number[] = [];
        pool.on('drain', () => queuedAtDrain.push(pool.stats().tasks.queued));
        // One at a time on an idle worker: nothing waits, no drain.
        expect(await pool.apply(() => 1)).toBe(1);
        expect(await pool.apply(() => 2)).toBe(2);
        expect(queuedAtDrain).toEqual([]);
        const drained = new Promise<void>((resolve) => pool.once('drain', resolve));
        const slow = pool.apply(sleepThen, [200, 'slow']);
        const quick = [3, 4, 5].map((x) => pool.apply((value: number) => value, [x]));
        expect(pool.stats().tasks.queued).toBeGreaterThan(0);
        await drained;
        expect(await slow).toBe('slow');
        expect(await Promise.all(quick)).toEqual([3, 4, 5]);
        expect(queuedAtDrain).toEqual([0]);
      }));

    it('a listener that throws is reported as an uncaught exception; other listeners and the pool go on', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const uncaught: unknown[] = [];
        const saved = process.listeners('uncaughtException');
        process.removeAllListeners('uncaughtException');
        process.on('uncaughtException', (error) => uncaught.push(error));
        try {
          const seen: unknown[] = [];
          pool.on('task-error', () => {
            throw new Error('a bug in a listener');
          });
          pool.on('task-error', (error) => seen.push(error));
          const error = await rejectionOf(pool.apply(failWith, ['bad']));
          await new Promise((resolve) => setImmediate(resolve));
          expect(seen).toEqual([error]);
          expect(uncaught).toHaveLength(1);
          expect((uncaught[0] as Error).message).toBe('a bug in a listener');
          expect(await pool.apply(() => 'still working')).toBe('still working');
          expect(pool.stats().tasks).toMatchObject({ completed: 1, failed: 1 });
        } finally {
          process.removeAllListeners('uncaughtException');
          for (const listener of saved) process.on('uncaughtException', listener);
        }
      }));

    it('ProcessPoolExecutor emits the same events; a worker death is a task-error with BrokenProcessPool', () =>
      withExecutor(context, { maxWorkers: 1 }, async (executor) => {
        const starts: WorkerInfo[] = [];
        const errors: unknown[] = [];
        executor.on('worker-start', (worker) => starts.push(worker));
        executor.on('task-error', (error) => errors.push(error));
        expect(await executor.submit(() => 'ran').result(BOUND)).toBe('ran');
        expect(starts).toHaveLength(1);
        const future = executor.submit(() => process.exit(1));
        const error = await future.exception(BOUND);
        expect(error).toBeInstanceOf(BrokenProcessPool);
        expect(errors).toEqual([error]);
      }));
  });

  describe('pool features: maxQueue', () => {
    it('a call that would wait behind maxQueue tasks rejects with QueueFullError; room comes back', () =>
      withPool(context, { processes: 1, maxQueue: 2 }, async (pool) => {
        expect(await pool.apply(() => 'warm')).toBe('warm');
        // A task with a timeout runs alone on its worker, so the next ones wait in the queue.
        const slow = pool.apply(sleepThen, [300, 'slow'], { timeout: BOUND });
        const waiting = [pool.apply(() => 'a'), pool.apply(() => 'b')];
        expect(pool.stats().tasks.queued).toBe(2);
        const drained = new Promise<void>((resolve) => pool.once('drain', resolve));
        const refused = await rejectionOf(pool.apply(() => 'c'));
        expect(refused).toBeInstanceOf(QueueFullError);
        expect(refused).toBeInstanceOf(MprocError);
        expect((refused as QueueFullError).code).toBe('ERR_MPROC_QUEUE_FULL');
        expect(refused.message).toContain('maxQueue');
        let called: unknown;
        const result = pool.applyAsync(() => 'd', [], { errorCallback: (error) => (called = error) });
        expect(await rejectionOf(result.get())).toBeInstanceOf(QueueFullError);
        expect(called).toBeInstanceOf(QueueFullError);
        expect(await rejectionOf(pool.map((x: number) => x, [1, 2, 3], 1))).toBeInstanceOf(QueueFullError);
        // Refused calls are not counted; the map's chunk that got in was dropped with it.
        expect(pool.stats().tasks.queued).toBe(2);
        await drained;
        expect(await pool.apply(() => 'after drain')).toBe('after drain');
        expect(await slow).toBe('slow');
        expect(await Promise.all(waiting)).toEqual(['a', 'b']);
      }));

    it('imap and imapUnordered are not refused: they bound what they hold themselves', () =>
      withPool(context, { processes: 1, maxQueue: 1 }, async (pool) => {
        expect(await pool.apply(() => 'warm')).toBe('warm');
        const slow = pool.apply(sleepThen, [200, 'slow'], { timeout: BOUND });
        const waiting = pool.apply(() => 'waiting');
        const values: number[] = [];
        for await (const value of pool.imap((x: number) => x * 2, [1, 2, 3, 4])) values.push(value);
        expect(values).toEqual([2, 4, 6, 8]);
        const unordered: number[] = [];
        for await (const value of pool.imapUnordered((x: number) => x, [1, 2, 3])) unordered.push(value);
        expect(unordered.sort()).toEqual([1, 2, 3]);
        expect(await slow).toBe('slow');
        expect(await waiting).toBe('waiting');
      }));

    it('ProcessPoolExecutor: a submit beyond maxQueue returns a future failed with QueueFullError', () =>
      withExecutor(context, { maxWorkers: 1, maxQueue: 1 }, async (executor) => {
        expect(await executor.submit(() => 'warm').result(BOUND)).toBe('warm');
        const slow = executor.submit(sleepThen, 300, 'slow');
        const waiting = executor.submit(() => 'waiting');
        expect(waiting.running()).toBe(false);
        const refused = executor.submit(() => 'refused');
        expect(refused.done()).toBe(true);
        expect(refused.cancelled()).toBe(false);
        expect(await refused.exception(BOUND)).toBeInstanceOf(QueueFullError);
        expect(await slow.result(BOUND)).toBe('slow');
        expect(await waiting.result(BOUND)).toBe('waiting');
      }));

    it('ProcessPoolExecutor.map: the iteration yields the chunks before the first refused one, then throws', () =>
      withExecutor(context, { maxWorkers: 1, maxQueue: 1 }, async (executor) => {
        expect(await executor.submit(() => 'warm').result(BOUND)).toBe('warm');
        const slow = executor.submit(sleepThen, 300, 'slow');
        const results = executor.map((x: number) => x * 10, [1, 2, 3]);
        expect(await results.next()).toEqual({ done: false, value: 10 });
        expect(await rejectionOf(results.next())).toBeInstanceOf(QueueFullError);
        expect(await results.next()).toEqual({ done: true, value: undefined });
        expect(await slow.result(BOUND)).toBe('slow');
      }));
  });

  describe('pool features: executor signal', () => {
    it('submit: aborting a queued future cancels it, with the reason as cause; it never runs', () =>
      withExecutor(context, { maxWorkers: 1 }, async (executor) => {
        const busy = executor.submit(sleepThen, 300, 'first');
        const controller = new AbortController();
        const queued = executor.submit(
          () => {
            (globalThis as { __mprocTestAbortedRan?: boolean }).__mprocTestAbortedRan = true;
            return 'ran';
          },
          { signal: controller.signal },
        );
        expect(queued.running()).toBe(false);
        controller.abort(new Error('changed my mind'));
        expect(queued.cancelled()).toBe(true);
        expect(queued.done()).toBe(true);
        const error = await rejectionOf(queued.result(BOUND));
        expect(error).toBeInstanceOf(CancelledError);
        expect((error.cause as Error).message).toBe('changed my mind');
        expect(await busy.result(BOUND)).toBe('first');
        const ran = await executor
          .submit(() => (globalThis as { __mprocTestAbortedRan?: boolean }).__mprocTestAbortedRan === true)
          .result(BOUND);
        expect(ran).toBe(false);
        expect(executor.stats().tasks.cancelled).toBe(1);
      }));

    it('submit: aborting a running future stops it by replacing its worker (AbortError); the executor goes on', () =>
      withExecutor(context, { maxWorkers: 1 }, async (executor) => {
        expect(await executor.submit(() => 'warm').result(BOUND)).toBe('warm');
        const starts: number[] = [];
        executor.on('worker-start', (worker) => starts.push(worker.workerId));
        const controller = new AbortController();
        // The worker is ready and idle, so the task is handed to it at once.
        const hung = executor.submit(
          () => {
            for (;;);
          },
          { signal: controller.signal },
        );
        expect(hung.running()).toBe(true);
        controller.abort();
        const error = await hung.exception(BOUND);
        expect(error).toBeInstanceOf(AbortError);
        expect(hung.cancelled()).toBe(false);
        expect(await executor.submit((a: number, b: number) => a + b, 1, 2).result(BOUND)).toBe(3);
        expect(starts).toHaveLength(1); // the replacement
      }));

    it('submit: an already aborted signal gives a cancelled future; a last argument of another shape is an argument', () =>
      withExecutor(context, { maxWorkers: 1 }, async (executor) => {
        const future = executor.submit((x: number) => x, 1, { signal: AbortSignal.abort() });
        expect(future.cancelled()).toBe(true);
        expect(await rejectionOf(future.result(BOUND))).toBeInstanceOf(CancelledError);
        const echo = (...args: unknown[]) => args;
        expect(await executor.submit(echo, 1, { signal: undefined }).result(BOUND)).toEqual([1]);
        expect(await executor.submit(echo, { signal: 1 }).result(BOUND)).toEqual([{ signal: 1 }]);
        expect(await executor.submit(echo, { timeout: 5 }).result(BOUND)).toEqual([{ timeout: 5 }]);
        const live = new AbortController().signal;
        expect(await executor.submit(echo, 2, { signal: live }).result(BOUND)).toEqual([2]);
        // Checked by tsc, never run: the arguments before the options are typed as without them.
        const misfit = () =>
          // @ts-expect-error 'a' is not a number
          executor.submit((x: number) => x, 'a', { signal: live });
        expect(typeof misfit).toBe('function');
      }));

    it('map: aborting ends the iteration with AbortError and cancels what is queued', () =>
      withExecutor(context, { maxWorkers: 1 }, async (executor) => {
        const controller = new AbortController();
        const results = executor.map(sleepThen, [100, 100, 100, 100], ['a', 'b', 'c', 'd'], {
          signal: controller.signal,
        });
        expect(await results.next()).toEqual({ done: false, value: 'a' });
        controller.abort();
        expect(await rejectionOf(results.next())).toBeInstanceOf(AbortError);
        expect(await results.next()).toEqual({ done: true, value: undefined });
        expect(await executor.submit(() => 'after').result(BOUND)).toBe('after');
        const { tasks } = executor.stats();
        expect(tasks.completed).toBeGreaterThanOrEqual(2);
        expect(tasks.cancelled + tasks.failed).toBeGreaterThanOrEqual(2);
        const already = executor.map((x: number) => x, [1], { signal: AbortSignal.abort() });
        expect(await rejectionOf(already.next())).toBeInstanceOf(AbortError);
        expect(() => executor.map((x: number) => x, [1], { signal: 'x' as never })).toThrow(TypeError);
      }));
  });

  describe('pool features: a pool that grows and shrinks', () => {
    it('minProcesses/maxProcesses: workers start on demand, one per busy worker and waiting task, up to maxProcesses', async () => {
      const pool = context.Pool({ minProcesses: 0, maxProcesses: 2 });
      const starts: WorkerInfo[] = [];
      pool.on('worker-start', (worker) => starts.push(worker));
      try {
        expect(pool.processes).toBe(2);
        expect(await pool.apply(() => 'first')).toBe('first');
        expect(starts).toHaveLength(1);
        // The idle worker takes the first; the second starts a worker; the third waits for one.
        const three = [1, 2, 3].map((value) => pool.apply(sleepThen, [200, value]));
        expect(await Promise.all(three)).toEqual([1, 2, 3]);
        expect(starts).toHaveLength(2);
        expect(pool.stats().workers.total).toBe(2);
      } finally {
        await pool.terminate();
      }
    });

    it('idleTimeout: a worker idle beyond minProcesses exits (an expected worker-exit); minProcesses stay', async () => {
      const pool = context.Pool({ minProcesses: 1, maxProcesses: 2, idleTimeout: 50 });
      const starts: WorkerInfo[] = [];
      pool.on('worker-start', (worker) => starts.push(worker));
      try {
        const retired = once(pool, 'worker-exit') as Promise<[WorkerExitInfo]>;
        expect(
          await Promise.all([pool.apply(sleepThen, [200, 'a']), pool.apply(sleepThen, [200, 'b'])]),
        ).toEqual(['a', 'b']);
        expect(starts).toHaveLength(2);
        const [exit] = await within(retired, BOUND, 'the idle worker to retire');
        expect(exit.expected).toBe(true);
        expect(pool.workers).toHaveLength(1);
        // The one left takes the next task: no new worker.
        expect(await pool.apply(() => 'kept')).toBe('kept');
        expect(starts).toHaveLength(2);
      } finally {
        await pool.terminate();
      }
    });

    it('minProcesses 0: every idle worker retires, and new work starts one again', async () => {
      const pool = context.Pool({ maxProcesses: 1, idleTimeout: 0 });
      const starts: WorkerInfo[] = [];
      pool.on('worker-start', (worker) => starts.push(worker));
      try {
        const retired = once(pool, 'worker-exit');
        expect(await pool.apply(() => 'before')).toBe('before');
        await within(retired, BOUND, 'the idle worker to retire');
        expect(pool.workers).toEqual([]);
        expect(pool.stats().workers.total).toBe(0);
        expect(await pool.apply(() => 'after')).toBe('after');
        expect(starts).toHaveLength(2);
      } finally {
        await pool.terminate();
      }
    });

    it('ProcessPoolExecutor: minWorkers and idleTimeout do the same', () =>
      withExecutor(context, { maxWorkers: 2, minWorkers: 0, idleTimeout: 0 }, async (executor) => {
        const retired = once(executor, 'worker-exit') as Promise<[WorkerExitInfo]>;
        expect(await executor.submit(() => 'before').result(BOUND)).toBe('before');
        const [exit] = await within(retired, BOUND, 'the idle worker to retire');
        expect(exit.expected).toBe(true);
        expect(executor.stats().workers.total).toBe(0);
        expect(await executor.submit(() => 'after').result(BOUND)).toBe('after');
      }));
  });

  describe('pool features: progress', () => {
    const double = (x: number) => x * 2;

    it('map: onProgress gets the total, then the items done, up to the total before the result', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        const reports: MapProgress[] = [];
        const items = Array.from({ length: 10 }, (_, index) => index);
        const last = await pool
          .map(double, items, { chunksize: 3, onProgress: (report) => reports.push(report) })
          .then((results) => {
            expect(results).toEqual(items.map(double));
            return reports.at(-1);
          });
        expect(last).toEqual({ done: 10, total: 10 });
        for (const [index, report] of reports.entries()) {
          expect(report.total).toBe(10);
          expect(report.done).toBeGreaterThanOrEqual(reports[index - 1]?.done ?? 0);
        }
      }));

    it('mapAsync, starmap and starmapAsync take onProgress too', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const seen: MapProgress[][] = [[], [], []];
        await pool.mapAsync(double, [1, 2], { onProgress: (report) => seen[0]?.push(report) }).get();
        const add = (a: number, b: number) => a + b;
        await pool.starmap(add, [[1, 2]], { onProgress: (report) => seen[1]?.push(report) });
        await pool
          .starmapAsync(
            add,
            [
              [1, 2],
              [3, 4],
              [5, 6],
            ],
            { onProgress: (report) => seen[2]?.push(report) },
          )
          .get();
        expect(seen.map((reports) => reports.at(-1))).toEqual([
          { done: 2, total: 2 },
          { done: 1, total: 1 },
          { done: 3, total: 3 },
        ]);
      }));

    it('imap and imapUnordered: total is undefined until the input has ended', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        for (const method of ['imap', 'imapUnordered'] as const) {
          const reports: MapProgress[] = [];
          let firstDone!: () => void;
          const gate = new Promise<void>((resolve) => {
            firstDone = resolve;
          });
          // The input ends only after a result has arrived, so that report cannot know the total.
          async function* input() {
            yield 1;
            yield 2;
            await gate;
            yield 3;
          }
          const onProgress = (report: MapProgress) => {
            reports.push(report);
            if (report.done > 0) firstDone();
          };
          const results: number[] = [];
          for await (const value of pool[method](double, input(), { onProgress })) results.push(value);
          expect(results.sort()).toEqual([2, 4, 6]);
          expect(reports[0]?.total).toBeUndefined();
          expect(reports.at(-1)).toEqual({ done: 3, total: 3 });
        }
      }));

    it('ProcessPoolExecutor.map: onProgress counts the calls', () =>
      withExecutor(context, { maxWorkers: 2 }, async (executor) => {
        const reports: MapProgress[] = [];
        const results: number[] = [];
        const add = (a: number, b: number) => a + b;
        for await (const value of executor.map(add, [1, 2, 3, 4, 5], [10, 20, 30, 40, 50], {
          chunksize: 2,
          onProgress: (report) => reports.push(report),
        }))
          results.push(value);
        expect(results).toEqual([11, 22, 33, 44, 55]);
        expect(reports.at(-1)).toEqual({ done: 5, total: 5 });
      }));

    it('an onProgress that is not a function throws a TypeError at the call; one that throws is reported as uncaught', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        expect(() => pool.map(double, [1], { onProgress: 1 as never })).toThrow(/onProgress/);
        expect(() => pool.imap(double, [1], { onProgress: 'x' as never })).toThrow(TypeError);
        const executor = context.ProcessPoolExecutor({ maxWorkers: 1 });
        expect(() => executor.map(double, [1], { onProgress: {} as never })).toThrow(/onProgress/);
        await executor.shutdown();
        const uncaught: unknown[] = [];
        const saved = process.listeners('uncaughtException');
        process.removeAllListeners('uncaughtException');
        process.on('uncaughtException', (error) => uncaught.push(error));
        try {
          const onProgress = () => {
            throw new Error('a bug in onProgress');
          };
          expect(await pool.map(double, [1, 2], { chunksize: 1, onProgress })).toEqual([2, 4]);
          await new Promise((resolve) => setImmediate(resolve));
          expect(uncaught.length).toBeGreaterThanOrEqual(1);
          expect((uncaught[0] as Error).message).toBe('a bug in onProgress');
        } finally {
          process.removeAllListeners('uncaughtException');
          for (const listener of saved) process.on('uncaughtException', listener);
        }
      }));
  });

  describe('pool features: the end of the main code', () => {
    itLocally(capabilities, REMOTE.script)(
      'a task still running keeps the process alive until it is done; then the process exits',
      async () => {
        const parent = await spawnParentScript(`
        import { getContext } from '@mproc/core';
        const pool = getContext(${JSON.stringify(method)}).Pool({ processes: 1 });
        pool.apply(async () => { await new Promise((resolve) => setTimeout(resolve, 300)); return 'done late'; })
          .then((value) => console.log(value));
      `);
        try {
          const { stdout } = await within(parent.output(), BOUND, 'the parent script');
          expect(stdout).toBe('done late\n');
          expect(await parent.exited).toEqual([0, null]);
        } finally {
          parent.kill('SIGKILL');
        }
      },
    );

    itLocally(capabilities, REMOTE.hosts)(
      'process.exit() while a task runs forever: its worker is stopped, not left behind',
      async () => {
        const parent = await spawnParentScript(`
        import { getContext } from '@mproc/core';
        const context = getContext(${JSON.stringify(method)});
        const pool = context.Pool({ processes: 1 });
        const started = context.Value('i', 0);
        pool.apply((flag) => { flag.value = 1; for (;;); }, [started]).catch(() => {});
        while (started.value === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        console.log(JSON.stringify(pool.workers));
        process.exit(0);
      `);
        try {
          const pids = JSON.parse(await within(parent.firstLine(), BOUND, 'the first line')) as number[];
          expect(await within(parent.exited, BOUND, 'the parent to exit')).toEqual([0, null]);
          if (capabilities.separateProcess) await waitUntilGone(pids, 2_000);
        } finally {
          parent.kill('SIGKILL');
        }
      },
    );
  });
}
