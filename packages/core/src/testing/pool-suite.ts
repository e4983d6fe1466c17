/**
 * SPEC 4 (Pool) as tests, run once per backend. Task functions here are sent by source text, so
 * each is self-contained; failure modes (exit, signal, hang, throw) are just tasks that do them.
 */

import {
  AbortError,
  AsyncResult,
  type BackendCapabilities,
  BrokenPoolError,
  getContext,
  InvalidStateError,
  type Pool,
  PoolNotRunningError,
  SerializationError,
  type StartMethod,
  TaskTimeoutError,
  TimeoutError,
  WorkerExitedError,
} from '@mproc/core';
import { describe, expect, it } from 'vitest';
import { BOUND, rejectionOf, within, withPool } from './bounded.js';
import { spawnParentScript, waitUntilGone } from './parent-process.js';
import { itLocally, REMOTE } from './remote-suite.js';
import { sleepThen, slowWorkerId, workerId } from './tasks.js';

/**
 * Resolves once every worker of `pool` has answered a call, so a test about how work spreads does
 * not depend on how fast workers start. There is no event for "all workers started": it asks, within
 * an explicit bound.
 */
export async function untilEveryWorkerAnswers(pool: Pool, bound = 20_000): Promise<void> {
  const deadline = Date.now() + bound;
  while (Date.now() < deadline) {
    const ids = await pool.map(slowWorkerId, new Array(pool.processes).fill(0), 1);
    if (new Set(ids).size === pool.processes) return;
  }
  throw new Error(`not every worker answered within ${bound} ms`);
}

/** The fulfilment handler of a call that must fail: `.then(unexpected, (error) => error)`. */
const unexpected = (): never => {
  throw new Error('expected the call to fail, but it succeeded');
};

/**
 * Every submitting method of a pool that takes no more work returns, and then rejects with
 * `errorClass` (docs/semantics.md: state errors arrive as rejections, not as throws at the call).
 */
async function expectRefused(pool: Pool, errorClass: new (...args: never[]) => Error): Promise<void> {
  const double = (x: number) => 2 * x;
  const add = (a: number, b: number) => a + b;
  let called: unknown;
  const calls: [string, PromiseLike<unknown>][] = [
    ['apply', pool.apply(double, [1])],
    ['applyAsync', pool.applyAsync(double, [1], { errorCallback: (error) => (called = error) })],
    ['map', pool.map(double, [1])],
    ['mapAsync', pool.mapAsync(double, [1])],
    ['starmap', pool.starmap(add, [[1, 2]])],
    ['starmapAsync', pool.starmapAsync(add, [[1, 2]])],
    ['imap', pool.imap(double, [1]).next()],
    ['imapUnordered', pool.imapUnordered(double, [1]).next()],
  ];
  for (const [name, call] of calls) {
    expect(await rejectionOf(call, `Pool.${name}`), name).toBeInstanceOf(errorClass);
  }
  expect(called).toBeInstanceOf(errorClass);
}

export function poolSuite(method: StartMethod, capabilities: BackendCapabilities): void {
  const context = getContext(method);
  const isProcess = capabilities.separateProcess;

  describe('Pool results', () => {
    it('map returns results in input order, for sync and async functions', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        expect(await pool.map((x: number) => x * x, [1, 2, 3, 4, 5])).toEqual([1, 4, 9, 16, 25]);
        const slowFirst = (x: number) =>
          new Promise((resolve) => setTimeout(() => resolve(x), x === 0 ? 100 : 0));
        expect(await pool.map(slowFirst, [0, 1, 2, 3], 1)).toEqual([0, 1, 2, 3]);
      }));

    it('map over 10,000 single-item chunks keeps input order', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        const items = Array.from({ length: 10_000 }, (_, index) => index);
        expect(await pool.map((x: number) => x * 3, items, 1)).toEqual(items.map((x) => x * 3));
      }));

    it('long lists of numbers cross exactly, -0, NaN and infinities included', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        const items = Array.from({ length: 1_000 }, (_, index) => index / 7 - 50);
        items.push(-0, Number.NaN, Number.POSITIVE_INFINITY, Number.MIN_VALUE, 2 ** 53);
        const halves = await pool.map((x: number) => x / 2, items);
        expect(halves).toEqual(items.map((x) => x / 2));
        expect(Object.is(halves[1_000], -0)).toBe(true);
        expect(await pool.map((x: number) => [x], [0.5, 1.5])).toEqual([[0.5], [1.5]]);
      }));

    it('map accepts any iterable, sync or async, and an empty one', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        async function* numbers() {
          yield 1;
          yield 2;
          yield 3;
        }
        expect(await pool.map((x: number) => x + 1, numbers())).toEqual([2, 3, 4]);
        expect(await pool.map((x: number) => x + 1, new Set([10, 20]))).toEqual([11, 21]);
        expect(await pool.map((x: number) => x, [])).toEqual([]);
      }));

    it('apply, applyAsync and starmap pass arguments as Python does', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        expect(await pool.apply((a: number, b: number) => a + b, [2, 3])).toBe(5);
        expect(await pool.applyAsync((a: string) => a.toUpperCase(), ['x'])).toBe('X');
        expect(
          await pool.starmap(
            (a: number, b: number) => a * b,
            [
              [1, 2],
              [3, 4],
            ],
          ),
        ).toEqual([2, 12]);
        expect(await pool.starmapAsync((a: number, b: number) => a - b, [[5, 1]]).get()).toEqual([4]);
        expect(await pool.mapAsync((x: number) => -x, [1, 2]).get()).toEqual([-1, -2]);
      }));

    it('structured-clone values survive the round trip', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const value = {
          map: new Map([[1, 'a']]),
          set: new Set([2n]),
          date: new Date(0),
          regexp: /x+/gi,
          bytes: new Uint8Array([1, 2, 3]),
          nested: { deep: [1, { deeper: true }] },
        };
        expect(await pool.apply((v: unknown) => v, [value])).toEqual(value);
      }));

    itLocally(capabilities, REMOTE.seat)(
      'a large typed array crosses as a copy both ways; the sender keeps its own',
      () =>
        withPool(context, { processes: 1 }, async (pool) => {
          const bytes = new Uint8Array(1 << 20).map((_, index) => index % 251);
          const kept = await pool.apply(
            (sent: Uint8Array) => {
              const back = sent.map((byte) => byte + 1);
              (globalThis as { __mprocKept?: Uint8Array }).__mprocKept = back;
              return back;
            },
            [bytes],
          );
          expect(bytes[1000]).toBe(1000 % 251);
          expect(kept).toBeInstanceOf(Uint8Array);
          // A byte compare: deep equality walks a 1 MiB array element by element (seconds on a busy machine).
          expect(Buffer.from(kept).equals(Buffer.from(bytes.map((byte) => byte + 1)))).toBe(true);
          // The worker's own array is intact after its result was sent.
          const inWorker = await pool.apply(
            () => (globalThis as { __mprocKept?: Uint8Array }).__mprocKept?.[1000],
          );
          expect(inWorker).toBe((1000 % 251) + 1);
        }),
    );

    it("a function sent as source text may call esbuild's __name helper, as tsx's output does", () =>
      withPool(context, { processes: 1 }, async (pool) => {
        // What tsx makes of `(n) => { function inner() { ... } class Box {} ... }`: the helper that
        // keeps the names is called in the text but defined in the module.
        const compiled = new Function(
          'return (n) => { const inner = __name(function inner() { return n * 2; }, "inner"); ' +
            'const Box = __name(class Box {}, "Box"); return [inner.name, inner(), Box.name].join(":"); }',
        )() as (n: number) => string;
        expect(await pool.apply(compiled, [21])).toBe('inner:42:Box');
      }));

    it('imap yields in input order; imapUnordered in completion order', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        await untilEveryWorkerAnswers(pool);
        const delays = [300, 0, 0, 0];
        const ordered: number[] = [];
        for await (const ms of pool.imap(
          (ms: number) => new Promise((r) => setTimeout(() => r(ms), ms)),
          delays,
        )) {
          ordered.push(ms as number);
        }
        expect(ordered).toEqual(delays);
        const unordered: number[] = [];
        for await (const ms of pool.imapUnordered(
          (ms: number) => new Promise((r) => setTimeout(() => r(ms), ms)),
          delays,
        )) {
          unordered.push(ms as number);
        }
        expect(unordered.sort((a, b) => a - b)).toEqual([0, 0, 0, 300]);
        expect(unordered[unordered.length - 1]).toBe(300);
      }));

    itLocally(capabilities, REMOTE.seat)('chunksize decides how items are spread over workers', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        await untilEveryWorkerAnswers(pool);
        const oneChunk = await pool.map(workerId, new Array(8).fill(0), 8);
        expect(new Set(oneChunk).size).toBe(1);
        const singles = await pool.map(slowWorkerId, new Array(8).fill(0), 1);
        expect(new Set(singles).size).toBe(2);
      }),
    );
  });

  describe('AsyncResult', () => {
    it('get(timeout) rejects with TimeoutError while the task goes on', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const result = pool.applyAsync(sleepThen, [300, 'done']);
        expect(result).toBeInstanceOf(AsyncResult);
        expect(result.ready()).toBe(false);
        expect(() => result.successful()).toThrow(InvalidStateError);
        await expect(result.get(10)).rejects.toBeInstanceOf(TimeoutError);
        expect(await result.wait(10)).toBe(false);
        expect(await result.get(5000)).toBe('done');
        expect(result.ready()).toBe(true);
        expect(result.successful()).toBe(true);
      }));

    it('callback and errorCallback run once, before get() settles', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const seen: unknown[] = [];
        const ok = pool.applyAsync((x: number) => x * 2, [21], {
          callback: (value) => seen.push(['ok', value]),
        });
        expect(await ok.get()).toBe(42);
        expect(seen).toEqual([['ok', 42]]);
        const failing = pool.applyAsync(
          () => {
            throw new RangeError('nope');
          },
          [],
          { errorCallback: (error) => seen.push(['error', (error as Error).message]) },
        );
        await expect(failing.get()).rejects.toThrow('nope');
        expect(failing.successful()).toBe(false);
        const mapped = pool.mapAsync((x: number) => x, [1, 2], {
          callback: (values) => seen.push(['map', values]),
        });
        await mapped;
        expect(seen).toEqual([
          ['ok', 42],
          ['error', 'nope'],
          ['map', [1, 2]],
        ]);
      }));
  });

  describe('task errors', () => {
    it("keep the class, name, message, own properties, cause and the worker's stack", () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const error = await pool
          .apply(() => {
            class ParseError extends Error {
              override name = 'ParseError';
            }
            const inner = new TypeError('inner');
            const thrown = new ParseError('outer', { cause: inner });
            Object.assign(thrown, { line: 7, detail: { file: 'a.txt' } });
            throw thrown;
          })
          .then(unexpected, (caught: unknown) => caught as Error & { line: number; detail: unknown });
        expect(error).toBeInstanceOf(Error);
        expect(error.name).toBe('ParseError');
        expect(error.message).toBe('outer');
        expect(error.line).toBe(7);
        expect(error.detail).toEqual({ file: 'a.txt' });
        expect(error.cause).toBeInstanceOf(TypeError);
        expect((error.cause as Error).message).toBe('inner');
        expect(error.stack).toContain('outer');
        // The frame of the task compiled from its source in the worker: the stack is the worker's.
        expect(error.stack).toMatch(/at eval \(eval at compile/);
        const builtin = await pool
          .apply(() => ([] as number[]).reduce((a, b) => a + b))
          .then(unexpected, (caught: unknown) => caught);
        expect(builtin).toBeInstanceOf(TypeError);
      }));

    it('an error in the middle of map rejects the whole call, and the pool goes on', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        const failOnThree = (x: number) => {
          if (x === 3) throw new RangeError(`bad item ${x}`);
          return x;
        };
        await expect(pool.map(failOnThree, [1, 2, 3, 4, 5], 1)).rejects.toThrow(new RangeError('bad item 3'));
        expect(await pool.map((x: number) => x, [1, 2])).toEqual([1, 2]);
      }));

    it('an error in the middle of imap is thrown at its position and ends the iteration', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        const failOnThree = (x: number) => {
          if (x === 3) throw new RangeError('three');
          return x;
        };
        const seen: number[] = [];
        const iterate = async () => {
          for await (const value of pool.imap(failOnThree, [1, 2, 3, 4, 5])) seen.push(value as number);
        };
        await expect(iterate()).rejects.toThrow('three');
        expect(seen).toEqual([1, 2]);
      }));

    it('a function that uses names from its module fails with a hint to export it', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const error = await pool
          .apply(() => workerId())
          .then(unexpected, (caught: unknown) => caught as Error);
        expect(error).toBeInstanceOf(ReferenceError);
        expect(error.message).toMatch(/export it/);
      }));

    it('native and bound functions are refused at the call', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        expect(() => pool.apply(Math.sqrt, [4])).toThrow(TypeError);
        expect(() => pool.apply(((x: number) => x).bind(null), [4])).toThrow(/bound/);
      }));
  });

  describe('values that cannot be sent', () => {
    it('an unsendable argument fails that call with the path of the value; the pool goes on', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const error = await pool
          .apply((x: unknown) => x, [{ cb: () => 1 }])
          .then(unexpected, (caught: unknown) => caught as Error);
        expect(error).toBeInstanceOf(SerializationError);
        expect(error.message).toContain('args[0].cb is a function');
        const mapError = await pool
          .map((x: unknown) => x, [1, 2, { deep: [Symbol('s')] }])
          .then(unexpected, (caught: unknown) => caught as Error);
        expect((mapError as Error).message).toContain('iterable[2].deep[0] is a symbol');
        expect(await pool.apply((x: number) => x + 1, [1])).toBe(2);
      }));

    it('an unsendable result fails that call with the path of the value; the pool goes on', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const error = await pool
          .apply(() => ({ ok: 1, cb: () => 2 }))
          .then(unexpected, (caught: unknown) => caught as Error);
        expect(error).toBeInstanceOf(SerializationError);
        expect(error.message).toContain('result.cb is a function');
        expect(await pool.apply(() => 'still serving')).toBe('still serving');
      }));
    it('an unsendable argument among many short calls sent together fails only that call', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        const double = (x: unknown) => (x as number) * 2;
        // Short calls answered first, so the pool sends the next ones many to a message.
        for (let index = 0; index < 20; index++) await pool.apply(double, [index]);
        const outcomes = await Promise.allSettled(
          Array.from({ length: 400 }, (_, index) =>
            pool.apply(double, [index === 300 ? { cb: () => index } : index]),
          ),
        );
        outcomes.forEach((outcome, index) => {
          if (index === 300) {
            const error = (outcome as PromiseRejectedResult).reason as Error;
            expect(error).toBeInstanceOf(SerializationError);
            expect(error.message).toContain('args[0].cb is a function');
          } else {
            expect(outcome).toEqual({ status: 'fulfilled', value: index * 2 });
          }
        });
      }));
  });

  describe('worker lifecycle', () => {
    it('the initializer runs once in each worker before its tasks, with initArgs', () =>
      withPool(
        context,
        {
          processes: 2,
          initializer: (base: number) => {
            const state = globalThis as { __mprocTestBase?: number; __mprocTestInits?: number };
            state.__mprocTestBase = base;
            state.__mprocTestInits = (state.__mprocTestInits ?? 0) + 1;
          },
          initArgs: [40],
        },
        async (pool) => {
          const read = (x: number) => {
            const state = globalThis as { __mprocTestBase?: number; __mprocTestInits?: number };
            return [(state.__mprocTestBase ?? 0) + x, state.__mprocTestInits];
          };
          expect(await pool.map(read, [1, 2, 3, 4], 1)).toEqual([
            [41, 1],
            [42, 1],
            [43, 1],
            [44, 1],
          ]);
        },
      ));

    it('a failing initializer breaks the pool with its cause instead of respawning', () =>
      withPool(
        context,
        {
          processes: 2,
          initializer: () => {
            throw new Error('no database');
          },
        },
        async (pool) => {
          const error = await pool
            .apply(() => 1)
            .then(unexpected, (caught: unknown) => caught as BrokenPoolError);
          expect(error).toBeInstanceOf(BrokenPoolError);
          expect((error.cause as Error).message).toBe('no database');
          await expectRefused(pool, BrokenPoolError);
          await pool.terminate();
          expect(pool.workers).toEqual([]);
        },
      ));

    it('workers that die while starting break the pool instead of respawning forever', () =>
      withPool(context, { processes: 1, execArgv: ['--no-such-node-flag'] }, async (pool) => {
        const error = await pool.apply(() => 1).then(unexpected, (caught: unknown) => caught);
        expect(error).toBeInstanceOf(BrokenPoolError);
      }));

    itLocally(capabilities, REMOTE.seat)('maxTasksPerChild replaces each worker after that many tasks', () =>
      withPool(context, { processes: 1, maxTasksPerChild: 2 }, async (pool) => {
        const ids: string[] = [];
        for (let index = 0; index < 6; index++) ids.push(await pool.apply(workerId));
        expect(new Set(ids).size).toBe(3);
        expect(ids[0]).toBe(ids[1]);
        expect(ids[2]).toBe(ids[3]);
        expect(ids[1]).not.toBe(ids[2]);
      }),
    );

    itLocally(capabilities, REMOTE.shared)('a task sent while the initializer fails never runs', () =>
      withPool(
        context,
        {
          processes: 1,
          initializer: () => {
            throw new Error('no database');
          },
        },
        async (pool) => {
          const ran = context.Value('i', 0, { lock: false });
          const mark = (flag: { value: number }) => {
            flag.value = 1;
          };
          // Sent at once, so it reaches the worker behind its init message.
          const error = await pool.apply(mark, [ran]).then(unexpected, (caught: unknown) => caught);
          expect(error).toBeInstanceOf(BrokenPoolError);
          await pool.terminate();
          expect(ran.value).toBe(0);
        },
      ),
    );

    it('a worker that calls process.exit(3) rejects its task with WorkerExitedError and is replaced', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const error = await pool
          .apply(() => process.exit(3))
          .then(unexpected, (caught: unknown) => caught as WorkerExitedError);
        expect(error).toBeInstanceOf(WorkerExitedError);
        expect(error.exitCode).toBe(3);
        expect(error.message).toContain('code 3');
        expect(await pool.apply(() => 'replaced')).toBe('replaced');
      }));

    it('a worker that dies with jobs sent ahead fails only the running one; the others run elsewhere', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        // Twenty calls queue deep enough for jobs to be sent ahead to the worker.
        const exitOnFive = (x: number) => {
          if (x === 5) process.exit(7);
          return x * 10;
        };
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, index) => pool.apply(exitOnFive, [index])),
        );
        outcomes.forEach((outcome, index) => {
          if (index === 5) {
            expect(outcome.status).toBe('rejected');
            expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(WorkerExitedError);
          } else {
            expect(outcome).toEqual({ status: 'fulfilled', value: index * 10 });
          }
        });
      }));

    it('a worker that dies among many short jobs sent together fails only the running one', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        const exitOn300 = (x: number) => {
          if (x === 300) process.exit(7);
          return x * 10;
        };
        for (let index = 0; index < 20; index++) await pool.apply(exitOn300, [index]);
        const outcomes = await Promise.allSettled(
          Array.from({ length: 600 }, (_, index) => pool.apply(exitOn300, [index])),
        );
        outcomes.forEach((outcome, index) => {
          if (index === 300) {
            expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(WorkerExitedError);
          } else {
            expect(outcome).toEqual({ status: 'fulfilled', value: index * 10 });
          }
        });
      }));

    it.skipIf(!isProcess)(
      'a worker killed by SIGKILL rejects its task with WorkerExitedError naming the signal (process backends: a thread shares the parent process)',
      () =>
        withPool(context, { processes: 1 }, async (pool) => {
          const error = await pool
            .apply(() => process.kill(process.pid, 'SIGKILL'))
            .then(unexpected, (caught: unknown) => caught as WorkerExitedError);
          expect(error).toBeInstanceOf(WorkerExitedError);
          expect(error.signal).toBe('SIGKILL');
          expect(await pool.apply(() => 'replaced')).toBe('replaced');
        }),
    );

    it('an uncaught error thrown outside the task kills the worker; its task rejects and the pool goes on', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const error = await pool
          .apply(
            () =>
              new Promise(() => {
                setTimeout(() => {
                  throw new Error('escaped');
                });
              }),
          )
          .then(unexpected, (caught: unknown) => caught);
        expect(error).toBeInstanceOf(WorkerExitedError);
        expect(await pool.apply(() => 'replaced')).toBe('replaced');
      }));
  });

  describe('abort and timeout', () => {
    it('aborting a queued task removes it; the running one finishes', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const running = pool.apply(sleepThen, [200, 'first']);
        const controller = new AbortController();
        const queued = pool.apply(() => 'never', [], { signal: controller.signal });
        controller.abort(new Error('changed my mind'));
        const error = await queued.then(unexpected, (caught: unknown) => caught as AbortError);
        expect(error).toBeInstanceOf(AbortError);
        expect((error.cause as Error).message).toBe('changed my mind');
        expect(await running).toBe('first');
      }));

    it('aborting a running task stops it by replacing its worker', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const before = await pool.apply(workerId);
        const error = await pool
          .apply(
            () => {
              for (;;);
            },
            [],
            { signal: AbortSignal.timeout(200) },
          )
          .then(unexpected, (caught: unknown) => caught);
        expect(error).toBeInstanceOf(AbortError);
        const after = await pool.apply(workerId);
        expect(after).not.toBe(before);
      }));

    it('an already aborted signal rejects at once', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        await expect(pool.apply(() => 1, [], { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
          AbortError,
        );
        await expect(pool.map((x: number) => x, [1], { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
          AbortError,
        );
      }));

    it('timeout stops a hung task with TaskTimeoutError and the pool goes on', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const error = await pool
          .apply(
            () => {
              for (;;);
            },
            [],
            { timeout: 100 },
          )
          .then(unexpected, (caught: unknown) => caught);
        expect(error).toBeInstanceOf(TaskTimeoutError);
        expect(await pool.apply(() => 'next')).toBe('next');
      }));

    it('timeout counts from when a worker takes the task, not from the queue', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        const first = pool.apply(sleepThen, [500, 'slow']);
        const second = pool.apply(sleepThen, [10, 'quick'], { timeout: 400 });
        expect(await first).toBe('slow');
        expect(await second).toBe('quick');
      }));

    it('map takes signal and timeout in its options', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        const hang = (x: number) => {
          if (x === 2) for (;;);
          return x;
        };
        await expect(pool.map(hang, [1, 2, 3], { chunksize: 1, timeout: 150 })).rejects.toBeInstanceOf(
          TaskTimeoutError,
        );
        expect(await pool.map((x: number) => x * 3, [1, 2], 1, { timeout: 5000 })).toEqual([3, 6]);
      }));
  });

  describe('closing and terminating', () => {
    it('close() lets queued work finish, then join() resolves; later calls fail', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        const results = pool.map(
          (ms: number) => new Promise((r) => setTimeout(() => r(ms), ms)),
          [50, 50, 50],
          1,
        );
        await expect(pool.join()).rejects.toBeInstanceOf(InvalidStateError);
        pool.close();
        await expectRefused(pool, PoolNotRunningError);
        await pool.join();
        expect(await results).toEqual([50, 50, 50]);
        expect(pool.workers).toEqual([]);
      }));

    it('terminate() with tasks in flight settles every one of them', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        const hang = () => new Promise(() => {});
        const pending = [pool.apply(hang), pool.apply(hang), pool.apply(hang), pool.map(hang, [1, 2, 3])];
        const outcomes = Promise.allSettled(pending);
        await pool.terminate();
        for (const outcome of await outcomes) {
          expect(outcome.status).toBe('rejected');
          expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(PoolNotRunningError);
        }
        await expectRefused(pool, PoolNotRunningError);
      }));

    it('Symbol.asyncDispose terminates the pool', async () => {
      const pool = context.Pool({ processes: 1 });
      expect(await pool.apply(() => 1)).toBe(1);
      await pool[Symbol.asyncDispose]();
      expect(pool.workers).toEqual([]);
      await expectRefused(pool, PoolNotRunningError);
    });
  });

  describe('lazy imap', () => {
    function endless() {
      const stats = { pulled: 0, closed: false };
      function* numbers() {
        try {
          for (;;) yield stats.pulled++;
        } finally {
          stats.closed = true;
        }
      }
      return { stats, numbers: numbers() };
    }

    it('streams an endless generator with a bounded number of items read ahead', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        const { stats, numbers } = endless();
        let consumed = 0;
        let maxAhead = 0;
        for await (const value of pool.imap((x: number) => x * 2, numbers, 5)) {
          expect(value).toBe(consumed * 2);
          consumed++;
          maxAhead = Math.max(maxAhead, stats.pulled - consumed);
          if (consumed === 5000) break;
        }
        // At most processes × (2 × 64 + 1) chunks of 5 are read ahead of the consumer (64: the most
        // jobs a worker holds when they are short).
        expect(maxAhead).toBeLessThanOrEqual(2 * (2 * 64 + 1) * 5);
      }));

    it('an input that throws: imap and imapUnordered yield the results of the chunks read before it, then reject with its error', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        const failing = (count: number) =>
          (function* () {
            for (let index = 0; index < count; index++) yield index;
            throw new RangeError('input broke');
          })();
        /** What an iteration yields, then the name and message of what it rejects with. */
        const drain = async (iterator: AsyncIterable<unknown>) => {
          const seen: unknown[] = [];
          try {
            for await (const value of iterator) seen.push(value);
          } catch (error) {
            seen.push(`${(error as Error).name}: ${(error as Error).message}`);
          }
          return seen;
        };
        const square = (x: number) => x * x;
        expect(await drain(pool.imap(square, failing(3)))).toEqual([0, 1, 4, 'RangeError: input broke']);
        // Chunks of 2: [0, 1] and [2, 3] are complete; 4 was read into a chunk the error cut short.
        expect(await drain(pool.imap(square, failing(5), 2))).toEqual([
          0,
          1,
          4,
          9,
          'RangeError: input broke',
        ]);
        const unordered = await drain(pool.imapUnordered(square, failing(3)));
        expect(unordered.at(-1)).toBe('RangeError: input broke');
        expect(unordered.slice(0, -1).sort()).toEqual([0, 1, 4]);
        const mapped = await rejectionOf(pool.map(square, failing(3)), 'map');
        expect(mapped).toBeInstanceOf(RangeError);
        expect(await pool.apply(() => 'still running')).toBe('still running');
      }));

    it('breaking out of imap stops reading the input and closes it', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        const { stats, numbers } = endless();
        for await (const value of pool.imapUnordered((x: number) => x, numbers)) {
          if ((value as number) >= 0) break;
        }
        const pulledAtBreak = stats.pulled;
        expect(stats.closed).toBe(true);
        expect(await pool.apply(() => 'idle')).toBe('idle');
        expect(stats.pulled).toBe(pulledAtBreak);
      }));

    it('close() then join() after a partly consumed imap finishes', () =>
      withPool(context, { processes: 2 }, async (pool) => {
        const { numbers } = endless();
        const iterator = pool.imap((x: number) => x, numbers);
        expect((await iterator.next()).value).toBe(0);
        expect((await iterator.next()).value).toBe(1);
        pool.close();
        await pool.join();
        const rest: unknown[] = [];
        await expect(
          (async () => {
            for (;;) {
              const step = await iterator.next();
              if (step.done) return;
              rest.push(step.value);
            }
          })(),
        ).rejects.toBeInstanceOf(PoolNotRunningError);
      }));
  });

  describe('options', () => {
    it('an invalid option throws a TypeError or RangeError naming it', () => {
      expect(() => context.Pool({ processes: 0 })).toThrow(/processes/);
      expect(() => context.Pool({ processes: 0 })).toThrow(RangeError);
      expect(() => context.Pool({ processes: 1.5 })).toThrow(TypeError);
      expect(() => context.Pool({ maxTasksPerChild: -1 })).toThrow(/maxTasksPerChild/);
      expect(() => context.Pool({ initializer: 5 as never })).toThrow(/initializer/);
      expect(() => context.Pool({ initArgs: 'x' as never })).toThrow(/initArgs/);
      expect(() => context.Pool({ execArgv: [1] as never })).toThrow(/execArgv/);
      expect(() => context.Pool({ modules: ['./relative.js'] })).toThrow(/modules/);
      expect(() => context.Pool({ proceses: 2 } as never)).toThrow(/unknown option 'proceses'/);
    });

    it('invalid call arguments throw at the call', () =>
      withPool(context, { processes: 1 }, async (pool) => {
        expect(() => pool.map((x: number) => x, [1], 0)).toThrow(RangeError);
        expect(() => pool.map((x: number) => x, 5 as never)).toThrow(TypeError);
        expect(() => pool.apply(() => 1, [], { timeout: -1 })).toThrow(/timeout/);
        expect(() => pool.apply(() => 1, [], { signal: 'x' as never })).toThrow(/signal/);
        expect(() => pool.apply(() => 1, 'x' as never)).toThrow(/args/);
      }));

    it('env replaces the environment of the workers', () =>
      withPool(context, { processes: 1, env: { MPROC_TEST_ONLY: 'yes' } }, async (pool) => {
        expect(await pool.apply(() => [process.env.MPROC_TEST_ONLY, process.env.PATH])).toEqual([
          'yes',
          undefined,
        ]);
      }));
  });

  describe('parent death', () => {
    /**
     * What the two workers do when the parent is killed: each sets its flag once it is there. `block`
     * is the task's source, `extra` makes the argument it blocks on (in the parent script).
     */
    const states = {
      idle: { block: '', extra: '' },
      'busy in a synchronous loop': { block: '(flags, i) => { flags[i] = 1; for (;;); }', extra: 'null' },
      'blocked in Queue.get()': {
        block: 'async (flags, i, queue) => { flags[i] = 1; await queue.get(); }',
        extra: 'context.Queue()',
      },
      'blocked in Lock.acquire() (the parent holds it)': {
        block: 'async (flags, i, lock) => { flags[i] = 1; await lock.acquire(); }',
        extra: '(() => { const lock = context.Lock(); lock.acquireSync(); return lock; })()',
      },
    };
    for (const [state, { block, extra }] of Object.entries(states)) {
      itLocally(capabilities, REMOTE.hosts)(
        `workers ${state} are gone within 2 s of the parent's SIGKILL`,
        async () => {
          const parent = await spawnParentScript(`
          import { getContext } from '@mproc/core';
          const context = getContext(${JSON.stringify(method)});
          const pool = context.Pool({ processes: 2 });
          await pool.map((x) => x, [1, 2], 1);
          const flags = context.Array('i', 2);
          ${
            block &&
            `const on = ${extra};
          for (const i of [0, 1]) pool.apply(${block}, [flags, i, on]).catch(() => {});
          while (flags[0] === 0 || flags[1] === 0) await new Promise((resolve) => setTimeout(resolve, 5));`
          }
          console.log(JSON.stringify({ pids: ${isProcess ? 'pool.workers' : '[]'} }));
        `);
          try {
            const { pids } = JSON.parse(await within(parent.firstLine(), BOUND, 'the first line')) as {
              pids: number[];
            };
            expect(pids.length).toBe(isProcess ? 2 : 0);
            parent.kill('SIGKILL');
            await parent.exited;
            await waitUntilGone([parent.pid, ...pids], 2_000);
          } finally {
            parent.kill('SIGKILL');
          }
        },
      );
    }
  });
}
