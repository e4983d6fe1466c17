/**
 * The deadlock grid (the idea of CPython's test_concurrent_futures/test_deadlock.py, for mproc):
 * every failure × every stage × every API is one generated case, which checks the three promises of
 * docs/reliability.md — the call settles (within BOUND) with the documented error, the pool or
 * executor is left in the documented state, and no worker process is left once it is stopped.
 * Cells that a backend cannot have are listed with the reason in the test name.
 */
import {
  type BackendCapabilities,
  BrokenProcessPool,
  type Context,
  getContext,
  type Pool,
  type ProcessPoolExecutor,
  SerializationError,
  type StartMethod,
  WorkerExitedError,
} from '@mproc/core';
import { describe, expect, it } from 'vitest';
import { BOUND, rejectionOf } from './bounded.js';
import { waitUntilGone } from './parent-process.js';

/** What each stage of a call does wrong; sent by source text, so each task is self-contained. */
interface Failure {
  readonly name: string;
  /** The task to run, and the arguments that make it fail at this stage. */
  readonly fn: (...args: never[]) => unknown;
  readonly args: readonly unknown[];
  /** Makes the arguments at the call, where they cannot be made when the suite loads. */
  makeArgs?(): readonly unknown[];
  /** True when the failure kills the worker (the pool replaces it; the executor breaks). */
  readonly killsWorker: boolean;
  /** The class the call rejects with, on a Pool. */
  readonly poolError: abstract new (
    ...args: never[]
  ) => Error;
  /** What its message says, where that is the point (the path of the value, the user's own error). */
  readonly message?: RegExp;
  /** Why this backend cannot have this failure; undefined: it can. */
  notApplicable?(capabilities: BackendCapabilities): string | undefined;
}

/**
 * A kind of object sent by descriptor (as queues and locks are) that only the parent can rebuild:
 * registered straight in core's per-process registry, which custom kinds would use, so the worker
 * fails to decode the arguments. Made at first use, so merely loading the suite changes nothing.
 */
class ParentOnlyKind {}
function parentOnlyValue(): ParentOnlyKind {
  const state = (globalThis as Record<symbol, ReducerRegistry | undefined>)[Symbol.for('mproc.reducers')];
  if (!state) throw new Error('core has not made its reducer registry');
  const tag = 'mproc.test.parentOnly';
  state.reducers.set(tag, [
    { tag, type: ParentOnlyKind, reduce: () => 0, revive: () => new ParentOnlyKind() },
  ]);
  state.active = true;
  return new ParentOnlyKind();
}

/** The shape of core's reducer registry (serialize/reducers.ts), as a test reaches it. */
interface ReducerRegistry {
  readonly reducers: Map<string, unknown[]>;
  active: boolean;
}

/** An object whose property cannot be read, so encoding it throws the getter's error. */
function throwingGetter(): object {
  return {
    get broken(): never {
      throw new Error('getter refused');
    },
  };
}

/** The heap limit of the grid's pools: small, so that running out of memory is quick. */
const HEAP_MB = 48;

const FAILURES: readonly Failure[] = [
  {
    name: 'sending arguments: an argument that cannot be cloned (a function)',
    fn: (x: unknown) => x,
    args: [{ cb: () => 1 }],
    killsWorker: false,
    poolError: SerializationError,
    // The path names the argument of apply, the item of map and imap.
    message: /(args|iterable)\[0\]\.cb is a function/,
  },
  {
    name: 'sending arguments: encoding the argument throws (a getter)',
    fn: (x: unknown) => x,
    args: [throwingGetter()],
    killsWorker: false,
    // The getter's own error, as structuredClone() rethrows it: the user's code failed, not mproc.
    poolError: Error,
    message: /getter refused/,
  },
  {
    name: 'sending arguments: encoding the argument throws (a getter), once the process uses shared objects',
    fn: (x: unknown) => x,
    // Once a shared kind is in use, arguments are walked at the call, which reads the getter there.
    args: [],
    makeArgs: () => [parentOnlyValue() && throwingGetter()],
    killsWorker: false,
    // The getter's own error, as structuredClone() rethrows it: the user's code failed, not mproc.
    poolError: Error,
    message: /getter refused/,
  },
  {
    name: 'decoding arguments in the worker: a kind of object only the parent knows',
    fn: (x: unknown) => x,
    args: [],
    makeArgs: () => [parentOnlyValue()],
    killsWorker: false,
    poolError: TypeError,
    message: /cannot rebuild a 'mproc\.test\.parentOnly' here/,
  },
  {
    name: 'running the task: it throws',
    fn: () => {
      throw new RangeError('task failed');
    },
    args: [],
    killsWorker: false,
    poolError: RangeError,
    message: /task failed/,
  },
  {
    name: 'running the task: the worker exits (process.exit)',
    fn: () => process.exit(3),
    args: [],
    killsWorker: true,
    poolError: WorkerExitedError,
  },
  {
    name: 'running the task: the worker is killed by a signal (SIGKILL)',
    fn: () => process.kill(process.pid, 'SIGKILL'),
    args: [],
    killsWorker: true,
    poolError: WorkerExitedError,
    notApplicable: (capabilities) =>
      capabilities.separateProcess
        ? undefined
        : 'a thread shares the parent process, which a signal would kill',
  },
  {
    name: 'running the task: an uncaught error outside the task',
    fn: () =>
      new Promise(() => {
        setTimeout(() => {
          throw new Error('escaped');
        });
      }),
    args: [],
    killsWorker: true,
    poolError: WorkerExitedError,
  },
  {
    name: 'running the task: the worker runs out of memory (resourceLimits)',
    fn: () => {
      const hoard: number[][] = [];
      for (;;) hoard.push(Array.from({ length: 100_000 }, (_, index) => index + 0.5));
    },
    args: [],
    killsWorker: true,
    poolError: WorkerExitedError,
  },
  {
    name: 'encoding the result: a result that cannot be cloned (a function)',
    fn: () => ({ ok: 1, cb: () => 2 }),
    args: [],
    killsWorker: false,
    poolError: SerializationError,
    // map's and imap's results come back as a chunk: result[0].
    message: /result(\[0\])?\.cb is a function/,
  },
  {
    name: 'encoding the result: encoding the result throws (a getter)',
    fn: () => ({
      get broken(): never {
        throw new Error('getter refused');
      },
    }),
    args: [],
    killsWorker: false,
    // The getter's own error, as structuredClone() rethrows it: the user's code failed, not mproc.
    poolError: Error,
    message: /getter refused/,
  },
  {
    name: 'decoding the result in the parent: a kind of object only the worker knows',
    // Registers a kind in the worker's registry (as parentOnlyValue does in the parent's) and returns one.
    fn: () => {
      const state = (globalThis as Record<symbol, { reducers: Map<string, unknown[]>; active: boolean }>)[
        Symbol.for('mproc.reducers')
      ];
      class WorkerOnlyKind {}
      const tag = 'mproc.test.workerOnly';
      state.reducers.set(tag, [
        { tag, type: WorkerOnlyKind, reduce: () => 0, revive: () => new WorkerOnlyKind() },
      ]);
      state.active = true;
      return new WorkerOnlyKind();
    },
    args: [],
    killsWorker: false,
    poolError: TypeError,
    message: /cannot rebuild a 'mproc\.test\.workerOnly' here/,
  },
];

/** How each API submits one failing call, and what a later call on the same pool does. */
interface Api {
  readonly name: string;
  readonly executor: boolean;
  call(target: Pool | ProcessPoolExecutor, failure: Failure): Promise<unknown>;
}

/** The items a map-like call runs the failure on: its argument, or one item a task of none ignores. */
const itemsOf = (failure: Failure): never[] => {
  const args = argsOf(failure);
  return (args.length ? [...args] : [0]) as never[];
};

const argsOf = (failure: Failure): readonly unknown[] => failure.makeArgs?.() ?? failure.args;

const APIS: readonly Api[] = [
  {
    name: 'apply',
    executor: false,
    call: (pool, failure) => (pool as Pool).apply(failure.fn, [...argsOf(failure)] as never),
  },
  {
    name: 'map',
    executor: false,
    call: (pool, failure) => (pool as Pool).map(failure.fn, itemsOf(failure)),
  },
  {
    name: 'imap',
    executor: false,
    call: async (pool, failure) => {
      const results: unknown[] = [];
      for await (const value of (pool as Pool).imap(failure.fn, itemsOf(failure))) {
        results.push(value);
      }
      return results;
    },
  },
  {
    name: 'executor.submit',
    executor: true,
    call: (executor, failure) =>
      Promise.resolve((executor as ProcessPoolExecutor).submit(failure.fn, ...(argsOf(failure) as never[]))),
  },
];

/** Checks that the pids are gone (process backends; a thread's "pid" is the parent's own). */
async function expectGone(pids: readonly number[], isProcess: boolean): Promise<void> {
  if (isProcess) await waitUntilGone(pids, BOUND);
}

async function gridCase(
  context: Context,
  capabilities: BackendCapabilities,
  failure: Failure,
  api: Api,
): Promise<void> {
  const isProcess = capabilities.separateProcess;
  const options = { resourceLimits: { maxOldGenerationSizeMb: HEAP_MB } };
  const pid = () => process.pid;
  if (api.executor) {
    const executor = context.ProcessPoolExecutor({ maxWorkers: 1, ...options });
    const pids: number[] = [];
    try {
      pids.push(await executor.submit(pid).result(BOUND));
      const error = await rejectionOf(api.call(executor, failure), failure.name);
      if (failure.killsWorker) {
        expect(error).toBeInstanceOf(BrokenProcessPool);
        expect(error.cause).toBeInstanceOf(WorkerExitedError);
        expect(await executor.submit(pid).exception(BOUND)).toBeInstanceOf(BrokenProcessPool);
      } else {
        expect(error).toBeInstanceOf(failure.poolError);
        if (failure.message) expect(error.message).toMatch(failure.message);
        pids.push(await executor.submit(pid).result(BOUND));
      }
    } finally {
      await executor.shutdown({ wait: true, cancelFutures: true });
    }
    await expectGone(pids, isProcess);
    return;
  }
  const pool = context.Pool({ processes: 1, ...options });
  const pids: number[] = [];
  try {
    pids.push(await pool.apply(pid));
    const error = await rejectionOf(api.call(pool, failure), failure.name);
    expect(error).toBeInstanceOf(failure.poolError);
    if (failure.message) expect(error.message).toMatch(failure.message);
    // The pool goes on: a dead worker was replaced.
    pids.push(await pool.apply(pid));
    pids.push(...pool.workers);
  } finally {
    await pool.terminate();
  }
  await expectGone(pids, isProcess);
}

/** Registers the grid for `method` (parent death is in pool-suite.ts). */
export function reliabilitySuite(method: StartMethod, capabilities: BackendCapabilities): void {
  const context = getContext(method);

  describe('reliability: option resourceLimits', () => {
    it('an invalid resourceLimits throws a TypeError or RangeError naming it', () => {
      expect(() => context.Pool({ resourceLimits: 5 as never })).toThrow(/resourceLimits/);
      expect(() => context.Pool({ resourceLimits: { maxOldGenerationSizeMb: '1' as never } })).toThrow(
        TypeError,
      );
      expect(() => context.Pool({ resourceLimits: { maxOldGenerationSizeMb: 0 } })).toThrow(RangeError);
      expect(() => context.Pool({ resourceLimits: { maxOldGenrationSizeMb: 1 } as never })).toThrow(
        /resourceLimits\.maxOldGenrationSizeMb/,
      );
      expect(() => context.ProcessPoolExecutor({ resourceLimits: { stackSizeMb: -1 } })).toThrow(
        /ProcessPoolExecutor.*resourceLimits\.stackSizeMb/,
      );
    });
  });

  describe('reliability: every call settles, the pool is in the documented state, no worker is left', () => {
    for (const failure of FAILURES) {
      for (const api of APIS) {
        const reason = failure.notApplicable?.(capabilities);
        const expected = api.executor && failure.killsWorker ? 'BrokenProcessPool' : failure.poolError.name;
        if (reason) {
          it.skip(`${api.name} × ${failure.name}: not applicable, ${reason}`, () => undefined);
          continue;
        }
        it(`${api.name} × ${failure.name} → ${expected}`, () =>
          gridCase(context, capabilities, failure, api));
      }
    }
  });
}
