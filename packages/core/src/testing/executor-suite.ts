/**
 * SPEC 6 (concurrent.futures) as tests, run once per backend. As in pool-suite, task functions are
 * sent by source text, so each is self-contained; a failure mode (exit, signal) is a task that does it.
 * Every wait is bounded: by a `timeout` given to result()/exception()/wait()/asCompleted(), or by
 * the test's own time limit.
 */

import {
  ALL_COMPLETED,
  asCompleted,
  type BackendCapabilities,
  BrokenPoolError,
  BrokenProcessPool,
  CancelledError,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  getContext,
  PoolNotRunningError,
  type ProcessPoolExecutor,
  type ProcessPoolExecutorOptions,
  type StartMethod,
  TimeoutError,
  WorkerExitedError,
  wait,
} from '@mproc/core';
import { describe, expect, it } from 'vitest';
import { BOUND, rejectionOf } from './bounded.js';
import { itLocally, REMOTE } from './remote-suite.js';
import { sleepThen, slowWorkerId, workerId } from './tasks.js';

const failAfter = async (ms: number, message: string): Promise<never> => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  throw new RangeError(message);
};

async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterator) values.push(value);
  return values;
}

/** Resolves once both workers of a two-worker executor have answered (see untilEveryWorkerAnswers). */
async function untilBothWorkersAnswer(executor: ProcessPoolExecutor, bound = 20_000): Promise<void> {
  const deadline = Date.now() + bound;
  while (Date.now() < deadline) {
    const ids = await Promise.all([executor.submit(slowWorkerId), executor.submit(slowWorkerId)]);
    if (ids[0] !== ids[1]) return;
  }
  throw new Error(`not both workers answered within ${bound} ms`);
}

export function executorSuite(method: StartMethod, capabilities: BackendCapabilities): void {
  const context = getContext(method);
  const isProcess = capabilities.separateProcess;

  async function withExecutor(
    options: Omit<ProcessPoolExecutorOptions, 'mpContext'>,
    body: (executor: ProcessPoolExecutor) => Promise<void>,
  ) {
    const executor = context.ProcessPoolExecutor(options);
    try {
      await body(executor);
    } finally {
      await executor.shutdown({ wait: true, cancelFutures: true });
    }
  }

  describe('ProcessPoolExecutor.submit and Future', () => {
    it('submit returns a Future of fn(...args); it is PromiseLike', () =>
      withExecutor({ maxWorkers: 2 }, async (executor) => {
        const future = executor.submit((a: number, b: number) => a + b, 2, 3);
        expect(future).toBeInstanceOf(Future);
        expect(await future.result(BOUND)).toBe(5);
        expect(future.done()).toBe(true);
        expect(future.running()).toBe(false);
        expect(future.cancelled()).toBe(false);
        expect(await future.exception(BOUND)).toBeNull();
        expect(await executor.submit((s: string) => s.toUpperCase(), 'x')).toBe('X');
        expect(await executor.submit(sleepThen, 10, { nested: [1] }).result(BOUND)).toEqual({ nested: [1] });
      }));

    it('result(timeout) rejects with TimeoutError while the task goes on', () =>
      withExecutor({ maxWorkers: 1 }, async (executor) => {
        const future = executor.submit(sleepThen, 300, 'done');
        expect(await rejectionOf(future.result(10))).toBeInstanceOf(TimeoutError);
        expect(await rejectionOf(future.exception(10))).toBeInstanceOf(TimeoutError);
        expect(future.done()).toBe(false);
        expect(await future.result(BOUND)).toBe('done');
      }));

    it("exception() returns the task's error; result() rejects with it", () =>
      withExecutor({ maxWorkers: 1 }, async (executor) => {
        const future = executor.submit(failAfter, 0, 'bad input');
        const error = (await future.exception(BOUND)) as Error;
        expect(error).toBeInstanceOf(RangeError);
        expect(error.message).toBe('bad input');
        expect(await rejectionOf(future.result(BOUND))).toBeInstanceOf(RangeError);
        expect(future.done()).toBe(true);
      }));

    it('a failed future nobody awaits causes no unhandled rejection', () =>
      withExecutor({ maxWorkers: 1 }, async (executor) => {
        const unhandled: unknown[] = [];
        const onUnhandled = (reason: unknown) => unhandled.push(reason);
        process.on('unhandledRejection', onUnhandled);
        try {
          const ignored = executor.submit(failAfter, 0, 'ignored');
          // A later task on the same worker finishes after the ignored one has settled.
          expect(await executor.submit(() => 'after').result(BOUND)).toBe('after');
          expect(ignored.done()).toBe(true);
          await new Promise((resolve) => setImmediate(resolve));
          expect(unhandled).toEqual([]);
        } finally {
          process.off('unhandledRejection', onUnhandled);
        }
      }));

    it('addDoneCallback runs once done, with the future; at once when already done', () =>
      withExecutor({ maxWorkers: 1 }, async (executor) => {
        const calls: unknown[] = [];
        const future = executor.submit((x: number) => x * 2, 21);
        future.addDoneCallback((done) => calls.push(['first', done === future, done.done()]));
        future.addDoneCallback(() => calls.push(['second']));
        expect(calls).toEqual([]);
        expect(await future.result(BOUND)).toBe(42);
        expect(calls).toEqual([['first', true, true], ['second']]);
        future.addDoneCallback((done) => calls.push(['late', done === future]));
        expect(calls[2]).toEqual(['late', true]);
      }));
  });

  describe('cancel', () => {
    it('a future cancelled while queued never runs: cancelled() is true, result() rejects', () =>
      withExecutor({ maxWorkers: 1 }, async (executor) => {
        const busy = executor.submit(sleepThen, 300, 'first');
        const queued = executor.submit(() => {
          (globalThis as { __mprocTestRan?: boolean }).__mprocTestRan = true;
          return 'ran';
        });
        expect(queued.running()).toBe(false);
        expect(queued.cancel()).toBe(true);
        expect(queued.cancel()).toBe(true);
        expect(queued.cancelled()).toBe(true);
        expect(queued.done()).toBe(true);
        expect(await rejectionOf(queued.result(BOUND))).toBeInstanceOf(CancelledError);
        expect(await rejectionOf(queued.exception(BOUND))).toBeInstanceOf(CancelledError);
        expect(await busy.result(BOUND)).toBe('first');
        // One worker: had the cancelled task run, this one would see its side effect.
        const sawSideEffect = await executor
          .submit(() => (globalThis as { __mprocTestRan?: boolean }).__mprocTestRan === true)
          .result(BOUND);
        expect(sawSideEffect).toBe(false);
      }));

    it('cancel() on a running future returns false and the task finishes', () =>
      withExecutor({ maxWorkers: 1 }, async (executor) => {
        await executor.submit(() => 'warm').result(BOUND);
        // The worker is idle, so the job is handed to it at once.
        const future = executor.submit(sleepThen, 200, 'finished');
        expect(future.running()).toBe(true);
        expect(future.cancel()).toBe(false);
        expect(future.cancelled()).toBe(false);
        expect(await future.result(BOUND)).toBe('finished');
        expect(future.running()).toBe(false);
        expect(future.cancel()).toBe(false);
      }));
  });

  describe('ProcessPoolExecutor.map', () => {
    it('yields in input order, zipping the iterables up to the shortest', () =>
      withExecutor({ maxWorkers: 2 }, async (executor) => {
        const slowFirst = (ms: number, value: string) =>
          new Promise((resolve) => setTimeout(() => resolve(`${value}${ms}`), ms));
        expect(await collect(executor.map(slowFirst, [300, 0, 0, 0], ['a', 'b', 'c']))).toEqual([
          'a300',
          'b0',
          'c0',
        ]);
        expect(await collect(executor.map((x: number) => x * x, new Set([1, 2, 3])))).toEqual([1, 4, 9]);
        expect(await collect(executor.map((x: number) => x, []))).toEqual([]);
      }));

    it('accepts async iterables', () =>
      withExecutor({ maxWorkers: 2 }, async (executor) => {
        async function* numbers() {
          yield 1;
          yield 2;
          yield 3;
        }
        expect(await collect(executor.map((a: number, b: number) => a + b, numbers(), [10, 20]))).toEqual([
          11, 22,
        ]);
      }));

    it('schedules every call at once, as Python: results can be read after shutdown()', () =>
      withExecutor({ maxWorkers: 2 }, async (executor) => {
        const results = executor.map((x: number) => x * 2, [1, 2, 3]);
        await executor.shutdown({ wait: true });
        expect(await collect(results)).toEqual([2, 4, 6]);
      }));

    it('timeout: the iteration rejects with TimeoutError when the next result is late', () =>
      withExecutor({ maxWorkers: 2 }, async (executor) => {
        // Both workers up first: the timeout counts from the map call, start-up included.
        await untilBothWorkersAnswer(executor);
        const results = executor.map(sleepThen, [0, 1000], ['quick', 'late'], { timeout: 300 });
        expect(await results.next()).toEqual({ done: false, value: 'quick' });
        expect(await rejectionOf(results.next())).toBeInstanceOf(TimeoutError);
        expect(await results.next()).toEqual({ done: true, value: undefined });
      }));

    it('chunksize sends that many calls to a worker in one message', () =>
      withExecutor({ maxWorkers: 2 }, async (executor) => {
        await untilBothWorkersAnswer(executor);
        const oneChunk = await collect(executor.map(workerId, new Array(8).fill(0), { chunksize: 8 }));
        expect(oneChunk).toHaveLength(8);
        expect(new Set(oneChunk).size).toBe(1);
        const twoChunks = await collect(executor.map(workerId, new Array(7).fill(0), { chunksize: 4 }));
        expect(twoChunks).toHaveLength(7);
        expect(twoChunks.slice(0, 4).every((id) => id === twoChunks[0])).toBe(true);
        expect(twoChunks.slice(4).every((id) => id === twoChunks[4])).toBe(true);
      }));

    it("a task's error is thrown at its position and ends the iteration", () =>
      withExecutor({ maxWorkers: 2 }, async (executor) => {
        const failOnThree = (x: number) => {
          if (x === 3) throw new RangeError('three');
          return x;
        };
        const seen: number[] = [];
        const error = await rejectionOf(
          (async () => {
            for await (const value of executor.map(failOnThree, [1, 2, 3, 4, 5])) seen.push(value);
          })(),
        );
        expect(error).toBeInstanceOf(RangeError);
        expect(error.message).toBe('three');
        expect(seen).toEqual([1, 2]);
      }));

    it('invalid arguments throw at the call, naming the option', () =>
      withExecutor({ maxWorkers: 1 }, async (executor) => {
        expect(() => executor.map((x: number) => x, [1], { chunksize: 0 })).toThrow(/chunksize/);
        expect(() => executor.map((x: number) => x, [1], { chunksize: 0 })).toThrow(RangeError);
        expect(() => executor.map((x: number) => x, [1], { timeout: -1 })).toThrow(/timeout/);
        expect(() => executor.map((x: number) => x, [1], { chunk: 2 } as never)).toThrow(
          /unknown option 'chunk'/,
        );
        expect(() => executor.map((x: number) => x, 5 as never)).toThrow(TypeError);
        // @ts-expect-error map needs at least one iterable
        expect(() => executor.map((x: number) => x)).toThrow(TypeError);
        // Types only: an input that does not fit the function is a compile error, not unknown results.
        // @ts-expect-error strings for a function of numbers
        const misfit = () => executor.map((x: number) => x * x, ['a']);
        void misfit; // checked by tsc (npm run typecheck), never called
      }));
  });

  describe('shutdown', () => {
    it('shutdown({ cancelFutures: true }) cancels the queued futures; the running one finishes', () =>
      withExecutor({ maxWorkers: 1 }, async (executor) => {
        await executor.submit(() => 'warm').result(BOUND);
        const running = executor.submit(sleepThen, 200, 'running');
        const queued = [executor.submit(() => 1), executor.submit(() => 2)];
        const mapped = executor.map((x: number) => x, [1, 2]);
        await executor.shutdown({ cancelFutures: true });
        expect(await running.result(BOUND)).toBe('running');
        for (const future of queued) {
          expect(future.cancelled()).toBe(true);
          expect(await rejectionOf(future.result(BOUND))).toBeInstanceOf(CancelledError);
        }
        expect(await rejectionOf(mapped.next())).toBeInstanceOf(CancelledError);
      }));

    it('shutdown({ wait: false }) returns at once; pending futures still finish', () =>
      withExecutor({ maxWorkers: 1 }, async (executor) => {
        const future = executor.submit(sleepThen, 500, 'later');
        await executor.shutdown({ wait: false });
        expect(future.done()).toBe(false); // it did not wait for the task (a timing would flake under load)
        expect(await future.result(BOUND)).toBe('later');
      }));

    it('after shutdown, submit and map reject with PoolNotRunningError instead of throwing at the call', () =>
      withExecutor({ maxWorkers: 1 }, async (executor) => {
        await executor.shutdown();
        const refused = executor.submit(() => 1);
        expect(refused.done()).toBe(true);
        const error = await rejectionOf(refused, 'submit after shutdown');
        expect(error).toBeInstanceOf(PoolNotRunningError);
        expect(error.message).toMatch(/after shutdown/);
        const mapped = executor.map((x: number) => x, [1]);
        expect(await rejectionOf(mapped.next(), 'map after shutdown')).toBeInstanceOf(PoolNotRunningError);
        expect(await mapped.next()).toEqual({ done: true, value: undefined });
        await executor.shutdown(); // a second shutdown is harmless
      }));

    it('Symbol.asyncDispose waits for the pending futures, as Python leaving a with block', async () => {
      const executor = context.ProcessPoolExecutor({ maxWorkers: 1 });
      const future = executor.submit(sleepThen, 100, 'kept');
      await executor[Symbol.asyncDispose]();
      expect(future.done()).toBe(true);
      expect(await future.result(0)).toBe('kept');
      expect(await executor.submit(() => 1).exception(0)).toBeInstanceOf(PoolNotRunningError);
    });
  });

  describe('asCompleted and wait', () => {
    it('asCompleted yields the futures in completion order', () =>
      withExecutor({ maxWorkers: 2 }, async (executor) => {
        await untilBothWorkersAnswer(executor);
        const futures = [600, 0, 300].map((ms) => executor.submit(sleepThen, ms, ms));
        const order: number[] = [];
        // TypeScript types a `for await` element as Awaited<Future<R>> = R, but the element is the
        // Future itself (for await does not await the values of an async iterator); `await` fits both.
        for await (const future of asCompleted([...futures, futures[0]], BOUND)) {
          expect(future).toBeInstanceOf(Future);
          order.push(await future);
        }
        expect(order).toEqual([0, 300, 600]);
      }));

    it('asCompleted rejects with TimeoutError when not all are done in time', () =>
      withExecutor({ maxWorkers: 2 }, async (executor) => {
        const quick = executor.submit(() => 'quick');
        await quick.result(BOUND);
        const slow = executor.submit(sleepThen, 1000, 'slow');
        const iterator = asCompleted([quick, slow], 50);
        expect((await iterator.next()).value).toBe(quick);
        const error = await rejectionOf(iterator.next());
        expect(error).toBeInstanceOf(TimeoutError);
        expect(error.message).toContain('1 (of 2) futures unfinished');
      }));

    it('wait FIRST_COMPLETED returns once one future is done', () =>
      withExecutor({ maxWorkers: 2 }, async (executor) => {
        const quick = executor.submit(sleepThen, 0, 'quick');
        const slow = executor.submit(sleepThen, 800, 'slow');
        const { done, notDone } = await wait([quick, slow], { returnWhen: FIRST_COMPLETED, timeout: BOUND });
        expect([...done]).toEqual([quick]);
        expect([...notDone]).toEqual([slow]);
      }));

    it('wait FIRST_EXCEPTION returns as soon as one future fails while others still run', () =>
      withExecutor({ maxWorkers: 3 }, async (executor) => {
        const ok = executor.submit(() => 'ok');
        await ok.result(BOUND);
        const failing = executor.submit(failAfter, 50, 'failed');
        const slow = executor.submit(sleepThen, 1500, 'slow');
        const { done, notDone } = await wait([ok, failing, slow], {
          returnWhen: FIRST_EXCEPTION,
          timeout: BOUND,
        });
        expect(done).toEqual(new Set([ok, failing]));
        expect(notDone).toEqual(new Set([slow]));
        expect(slow.done()).toBe(false);
      }));

    it('wait ALL_COMPLETED (the default) returns once all are done; timeout returns what is done', () =>
      withExecutor({ maxWorkers: 2 }, async (executor) => {
        const futures = [executor.submit(sleepThen, 50, 1), executor.submit(failAfter, 100, 'x')];
        const all = await wait(futures, { timeout: BOUND });
        expect(all.done.size).toBe(2);
        expect(all.notDone.size).toBe(0);
        expect((await wait(futures, { returnWhen: ALL_COMPLETED })).done.size).toBe(2);
        const slow = executor.submit(sleepThen, 1000, 'slow');
        const partial = await wait([slow, ...futures], { timeout: 50 });
        expect(partial.notDone).toEqual(new Set([slow]));
        expect(() => wait(futures, { returnWhen: 'SOMETIME' as never })).toThrow(/returnWhen/);
      }));
  });

  describe('a dead worker breaks the executor', () => {
    async function expectBroken(executor: ProcessPoolExecutor, kill: () => unknown, exit: object) {
      await executor.submit(() => 'warm').result(BOUND);
      // Two workers: one runs `running`, the other `killer`; the rest wait in the queue.
      const running = executor.submit(sleepThen, 5000, 'never');
      const killer = executor.submit(kill);
      const queued = [executor.submit(sleepThen, 5000, 'never'), executor.submit(() => 'never')];
      const settledAt = new Map<Future<unknown>, number>();
      for (const future of [running, ...queued, killer]) {
        future.addDoneCallback(() => settledAt.set(future, performance.now()));
      }
      const error = (await killer.exception(BOUND)) as BrokenProcessPool;
      expect(error).toBeInstanceOf(BrokenProcessPool);
      expect(error).toBeInstanceOf(BrokenPoolError);
      expect(error.cause).toBeInstanceOf(WorkerExitedError);
      expect(error.cause).toMatchObject(exit);
      for (const future of [running, ...queued]) {
        expect(await future.exception(1000)).toBeInstanceOf(BrokenProcessPool);
      }
      const times = [...settledAt.values()];
      expect(Math.max(...times) - Math.min(...times)).toBeLessThan(1000);
      expect(await executor.submit(() => 1).exception(0)).toBeInstanceOf(BrokenProcessPool);
      const mapped = executor.map((x: number) => x, [1]);
      expect(await rejectionOf(mapped.next(), 'map on a broken executor')).toBeInstanceOf(BrokenProcessPool);
    }

    it('a task that calls process.exit(1) fails every pending future with BrokenProcessPool', () =>
      withExecutor({ maxWorkers: 2 }, (executor) =>
        expectBroken(executor, () => process.exit(1), { exitCode: 1 }),
      ));

    it.skipIf(!isProcess)(
      'a worker killed by SIGKILL breaks the executor too (process backends: a thread shares the parent process)',
      () =>
        withExecutor({ maxWorkers: 2 }, (executor) =>
          expectBroken(executor, () => process.kill(process.pid, 'SIGKILL'), { signal: 'SIGKILL' }),
        ),
    );
  });

  describe('ProcessPoolExecutor options', () => {
    itLocally(capabilities, REMOTE.seat)('initializer, initArgs and maxTasksPerChild work as in Pool', () =>
      withExecutor(
        {
          maxWorkers: 1,
          maxTasksPerChild: 2,
          initializer: (base: number) => {
            (globalThis as { __mprocTestBase?: number }).__mprocTestBase = base;
          },
          initArgs: [40],
        },
        async (executor) => {
          const read = (x: number) => {
            const state = globalThis as { __mprocTestBase?: number; __mprocTestWorkerId?: string };
            state.__mprocTestWorkerId ??= Math.random().toString(36).slice(2);
            return [(state.__mprocTestBase ?? 0) + x, state.__mprocTestWorkerId];
          };
          const results: [number, string][] = [];
          for (let x = 1; x <= 4; x++) results.push((await executor.submit(read, x).result(BOUND)) as never);
          expect(results.map(([value]) => value)).toEqual([41, 42, 43, 44]);
          expect(results[0][1]).toBe(results[1][1]);
          expect(results[1][1]).not.toBe(results[2][1]);
        },
      ),
    );

    it('an invalid option throws a TypeError or RangeError naming it', () => {
      expect(() => context.ProcessPoolExecutor({ maxWorkers: 0 })).toThrow(RangeError);
      expect(() => context.ProcessPoolExecutor({ maxWorkers: 0 })).toThrow(/maxWorkers/);
      expect(() => context.ProcessPoolExecutor({ maxWorkers: 1.5 })).toThrow(TypeError);
      expect(() => context.ProcessPoolExecutor({ maxTasksPerChild: 0 })).toThrow(/maxTasksPerChild/);
      expect(() => context.ProcessPoolExecutor({ initializer: 5 as never })).toThrow(/initializer/);
      expect(() => context.ProcessPoolExecutor({ processes: 2 } as never)).toThrow(
        /unknown option 'processes'/,
      );
    });

    it('invalid call arguments throw', () =>
      withExecutor({ maxWorkers: 1 }, async (executor) => {
        expect(() => executor.submit(Math.sqrt, 4)).toThrow(TypeError);
        const future = executor.submit(() => 1);
        await expect(future.result(-1)).rejects.toThrow(RangeError);
        expect(() => executor.shutdown({ wait: 'yes' } as never)).toThrow(/wait/);
        expect(() => asCompleted([future], -5)).toThrow(/timeout/);
        expect(() => wait([1] as never)).toThrow(TypeError);
        await future.result(BOUND);
      }));
  });
}
