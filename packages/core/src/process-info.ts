/**
 * Who this process (or thread) is: the main process the user started, or an mproc worker. The mark
 * lives on globalThis under a `Symbol.for` key so every copy of this package in a worker agrees.
 */

export interface ProcessInfo {
  /** `MainProcess` in the process the user started; `PoolWorker-N` in a pool's worker. */
  readonly name: string;
  readonly pid: number;
  /** The pid, or the threadId of a thread worker. */
  readonly ident: number;
  readonly daemon: boolean;
}

interface WorkerState {
  info: ProcessInfo;
  /** True while the worker imports the main module, when starting workers would recurse. */
  importingMain: boolean;
}

const WORKER_STATE = Symbol.for('mproc.worker-state');

function state(): WorkerState | undefined {
  return (globalThis as unknown as Record<symbol, WorkerState | undefined>)[WORKER_STATE];
}

/** Called first thing in a worker, before any user module loads. */
export function markAsWorker(info: ProcessInfo): void {
  (globalThis as unknown as Record<symbol, WorkerState>)[WORKER_STATE] = { info, importingMain: false };
}

export function updateWorkerInfo(info: ProcessInfo): void {
  const current = state();
  if (current) current.info = info;
}

/** Runs `load` with the flag that makes starting workers fail (see `assertNotBootstrapping`). */
export async function whileImportingMain<T>(load: () => Promise<T>): Promise<T> {
  const current = state();
  if (!current) return load();
  current.importingMain = true;
  try {
    return await load();
  } finally {
    current.importingMain = false;
  }
}

export function isImportingMain(): boolean {
  return state()?.importingMain ?? false;
}

/**
 * True only in the process (or thread) the user started: the guard Python spells
 * `if __name__ == '__main__'`. Put top-level code that starts pools under it.
 */
export function isMainProcess(): boolean {
  return state() === undefined;
}

/** This process's name, pid and ident, as Python's `multiprocessing.current_process()`. */
export function currentProcess(): ProcessInfo {
  return state()?.info ?? { name: 'MainProcess', pid: process.pid, ident: process.pid, daemon: false };
}
