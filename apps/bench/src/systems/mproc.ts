import { TASKS } from '../tasks.js';
import { echoMoved } from '../workers/mproc-tasks.js';
import type { PoolHandle, SystemAdapter, TaskName } from './adapter.js';

/**
 * The slice of the @mproc/core API (SPEC.md sections 2 and 4) the bench uses, written out here
 * instead of imported: the library is being written alongside the bench, and a missing export must
 * make the system skip at run time, not break the bench's build.
 */
interface MprocPool {
  applyAsync(fn: (...args: never[]) => unknown, args: unknown[]): PromiseLike<unknown>;
  map(fn: (x: number) => unknown, items: Iterable<number>): Promise<unknown[]>;
  imap(fn: (x: number) => unknown, items: Iterable<number>): AsyncIterable<unknown>;
  terminate(): Promise<void>;
}
interface MprocCore {
  getContext(method: string): { Pool(options: { processes: number; modules?: string[] }): MprocPool };
  transfer<T>(value: T): T;
}

/**
 * A variable, not a string literal, so that TypeScript does not resolve the package's types: the
 * bench then builds whatever state @mproc/core's own build is in (even while it is being rebuilt).
 */
const MPROC_CORE: string = '@mproc/core';

/** URL of the module holding `echoMoved`, listed in the pool's `modules` option (SPEC.md §3 rule 2). */
const MPROC_TASKS_MODULE = new URL('../workers/mproc-tasks.js', import.meta.url).href;

/**
 * mproc with one start method. Plain tasks are sent by source text (the self-contained functions
 * of tasks.ts); `tiny` submits with `applyAsync`, `map` and `stream` use mproc's own `map` / `imap`
 * with their default chunksize.
 */
export async function loadMproc(method: 'fork' | 'spawn' | 'threads' | 'cluster'): Promise<SystemAdapter> {
  const core = (await import(MPROC_CORE)) as Partial<MprocCore>;
  for (const name of ['getContext', 'transfer'] as const) {
    if (typeof core[name] !== 'function') throw new Error(`@mproc/core does not export ${name}() yet`);
  }
  const { getContext, transfer } = core as MprocCore;
  // mproc loads a backend package when its first pool needs it; import it now, as the peers'
  // libraries are imported before anything is timed (the startup metric times pools, not imports).
  await import(`@mproc/backend-${method}`);
  const context = getContext(method);
  return {
    createPool(workers: number): PoolHandle {
      // Only threads can move memory, so only they need the module with `echoMoved`.
      const modules = method === 'threads' ? [MPROC_TASKS_MODULE] : undefined;
      const pool = context.Pool({ processes: workers, ...(modules ? { modules } : {}) });
      const fn = (task: TaskName) => TASKS[task] as (...args: never[]) => unknown;
      const handle: PoolHandle = {
        run: (task, arg) => pool.applyAsync(fn(task), [arg]),
        map: (task, items) => pool.map(TASKS[task], items),
        imap: (task, items) => pool.imap(TASKS[task], items),
        close: () => pool.terminate(),
      };
      if (method === 'threads') {
        handle.runMoved = (data) => pool.applyAsync(echoMoved, [transfer(data)]) as PromiseLike<Uint8Array>;
      }
      return handle;
    },
  };
}
