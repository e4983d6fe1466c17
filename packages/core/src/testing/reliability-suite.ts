/**
 * The deadlock grid (issue 14; the idea of CPython's test_concurrent_futures/test_deadlock.py): each
 * failure — the worker exits, is killed by a signal, runs out of memory, the task throws, its
 * arguments or its result cannot be sent — through each way of running a task — `apply`, `map`,
 * `imap`, the executor's `submit` and `map` — settles within a bound with the documented error, leaves
 * the pool or executor in the documented state, and leaves no worker process behind. Run once per
 * backend; the table in docs/reliability.md names these cases.
 */

import {
  type BackendCapabilities,
  BrokenProcessPool,
  getContext,
  type Pool,
  type ProcessPoolExecutor,
  SerializationError,
  type StartMethod,
  WorkerExitedError,
} from '@mproc/core';
import { describe, expect, it } from 'vitest';
import { BOUND, rejectionOf, within } from './bounded.js';
import { waitUntilGone } from './parent-process.js';

/** Each failure: the task (it fails for the item 'fail' only), the item, and what it breaks. */
interface Failure {
  /** Runs for every item; fails for the item 'fail' (or is sent an unsendable item). */
  readonly task: (item: unknown) => unknown;
  /** The failing item. */
  readonly item: () => unknown;
  /** The error the call settles with. */
  readonly error: new (
    ...args: never[]
  ) => Error;
  /** True when the worker dies of it: the executor is then broken, as Python's. */
  readonly killsWorker: boolean;
  /** Extra pool options (a heap limit). */
  readonly execArgv?: string[];
  /** Why it cannot happen on this backend or through the executor, or undefined. */
  readonly notOn?: (capabilities: BackendCapabilities, isExecutor: boolean) => string | undefined;
}

const threadsShareTheProcess = (capabilities: BackendCapabilities) =>
  capabilities.separateProcess
    ? undefined
    : 'a thread shares its process: a signal or a heap limit would end the test run';

const FAILURES: Record<string, Failure> = {
  'the worker exits': {
    task: (item) => (item === 'fail' ? process.exit(3) : item),
    item: () => 'fail',
    error: WorkerExitedError,
    killsWorker: true,
  },
  'the worker is killed by SIGKILL': {
    task: (item) => (item === 'fail' ? process.kill(process.pid, 'SIGKILL') : item),
    item: () => 'fail',
    error: WorkerExitedError,
    killsWorker: true,
    notOn: threadsShareTheProcess,
  },
  'the worker runs out of memory': {
    task: (item) => {
      const hoard: unknown[] = [];
      while (item === 'fail') hoard.push(new Array(100_000).fill(hoard.length));
      return item;
    },
    item: () => 'fail',
    error: WorkerExitedError,
    killsWorker: true,
    execArgv: ['--max-old-space-size=32'],
    notOn: (capabilities, isExecutor) =>
      isExecutor
        ? "the executor takes no execArgv (Python's has none), so its workers have no heap limit to reach"
        : threadsShareTheProcess(capabilities),
  },
  'the task throws': {
    task: (item) => {
      if (item === 'fail') throw new RangeError('the task failed');
      return item;
    },
    item: () => 'fail',
    error: RangeError,
    killsWorker: false,
  },
  'an argument cannot be sent': {
    task: (item) => item,
    item: () => () => 'a function',
    error: SerializationError,
    killsWorker: false,
  },
  'the result cannot be sent': {
    task: (item) => (item === 'fail' ? Symbol('unsendable') : item),
    item: () => 'fail',
    error: SerializationError,
    killsWorker: false,
  },
};

/** Runs `task` on 'ok', the failing item, 'ok' through one API; resolves to what the call settled with. */
type Way = (runner: Pool | ProcessPoolExecutor, task: Failure['task'], item: unknown) => Promise<unknown>;

async function collect(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

const POOL_WAYS: Record<string, Way> = {
  apply: (pool, task, item) => (pool as Pool).apply(task, [item]),
  map: (pool, task, item) => (pool as Pool).map(task, ['ok', item, 'ok'], 1),
  imap: (pool, task, item) => collect((pool as Pool).imap(task, ['ok', item, 'ok'], 1)),
};

const EXECUTOR_WAYS: Record<string, Way> = {
  'executor.submit': (executor, task, item) => (executor as ProcessPoolExecutor).submit(task, item).result(),
  'executor.map': (executor, task, item) =>
    collect((executor as ProcessPoolExecutor).map(task, ['ok', item, 'ok'])),
};

export function reliabilitySuite(method: StartMethod, capabilities: BackendCapabilities): void {
  const context = getContext(method);

  describe('the deadlock grid: every call settles, with the documented error and state, and no worker is left', () => {
    for (const [failure, spec] of Object.entries(FAILURES)) {
      for (const [way, run] of Object.entries({ ...POOL_WAYS, ...EXECUTOR_WAYS })) {
        const isExecutor = way in EXECUTOR_WAYS;
        const name = `${failure}, through ${way}`;
        const notHere = spec.notOn?.(capabilities, isExecutor);
        if (notHere) {
          it.skip(`${name} (not here: ${notHere})`, () => {});
          continue;
        }
        it(name, async () => {
          const runner = isExecutor
            ? context.ProcessPoolExecutor({ maxWorkers: 1 })
            : context.Pool({ processes: 1, execArgv: spec.execArgv });
          const pids: number[] = [];
          runner.on('worker-start', ({ pid }: { pid: number }) => pids.push(pid));
          try {
            const error = await rejectionOf(within(run(runner, spec.task, spec.item()), BOUND, name));
            // A dead worker breaks the executor, as in Python: that call and every later one fail with
            // BrokenProcessPool. A pool replaces the worker and goes on.
            const breaks = isExecutor && spec.killsWorker;
            expect(error).toBeInstanceOf(breaks ? BrokenProcessPool : spec.error);
            const next = run(runner, (item) => item, 'ok');
            if (breaks)
              expect(await rejectionOf(within(next, BOUND, 'the next call'))).toBeInstanceOf(
                BrokenProcessPool,
              );
            else
              expect(await within(next, BOUND, 'the next call')).toEqual(
                way.endsWith('map') ? ['ok', 'ok', 'ok'] : 'ok',
              );
          } finally {
            await within(
              isExecutor ? (runner as ProcessPoolExecutor).shutdown() : (runner as Pool).terminate(),
              BOUND,
              'the end',
            );
          }
          if (capabilities.separateProcess) await waitUntilGone(pids, BOUND);
        });
      }
    }
  });
}
