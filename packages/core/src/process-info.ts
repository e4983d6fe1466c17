/**
 * Who this process (or thread) is: the main process the user started, or an mproc worker. The mark
 * lives on globalThis under a `Symbol.for` key so every copy of this package in a worker agrees.
 */

export interface ProcessInfo {
  /**
   * `MainProcess` in the process the user started; `PoolWorker-N` in a pool's worker; a Process's
   * `name` (default `Process-N`) in its child.
   */
  readonly name: string;
  /** The operating system's process id (on threads, the main process's). */
  readonly pid: number;
  /** The pid, or the threadId of a thread worker. */
  readonly ident: number;
  /** True for pool workers and daemon Processes: they end with the process that started them. */
  readonly daemon: boolean;
}

interface WorkerState {
  info: ProcessInfo;
  /** The process that started this worker, once its init message said who (`parentProcess()`). */
  parent: ProcessInfo | null;
  /** True while the worker imports the main module, when starting workers would recurse. */
  importingMain: boolean;
}

const WORKER_STATE = Symbol.for('mproc.worker-state');

function state(): WorkerState | undefined {
  return (globalThis as unknown as Record<symbol, WorkerState | undefined>)[WORKER_STATE];
}

/** Called first thing in a worker, before any user module loads. */
export function markAsWorker(info: ProcessInfo): void {
  (globalThis as unknown as Record<symbol, WorkerState>)[WORKER_STATE] = {
    info,
    parent: null,
    importingMain: false,
  };
}

/** Records who this worker is, and (from its init message) who started it. */
export function updateWorkerInfo(info: ProcessInfo, parent?: ProcessInfo): void {
  const current = state();
  if (!current) return;
  current.info = info;
  if (parent) current.parent = parent;
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

/**
 * The process that started this one, as Python's `multiprocessing.parent_process()`: its name, pid,
 * ident and daemon flag as they were when it started this worker; null in the main process.
 */
export function parentProcess(): ProcessInfo | null {
  return state()?.parent ?? null;
}
