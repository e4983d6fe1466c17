/**
 * The events of a Pool and a ProcessPoolExecutor, in Node's EventEmitter shape
 * (`pool.on('worker-exit', listener)`), and how they are emitted: after the change that caused them
 * is complete, each listener on its own, so that a listener that throws or calls back into the pool
 * cannot leave the pool's state half-updated.
 */
import type { EventEmitter } from 'node:events';

/** A worker of the pool. */
export interface WorkerInfo {
  /** The pool's number for it, 1, 2, 3, ... (`PoolWorker-<workerId>`). */
  readonly workerId: number;
  /** The process id; on threads, the parent's. */
  readonly pid: number;
  /** The pid; on threads, the threadId (as `pool.workers`). */
  readonly ident: number;
}

/** A worker that exited. */
export interface WorkerExitInfo extends WorkerInfo {
  /** Its exit code, or null when a signal ended it. */
  readonly exitCode: number | null;
  /** The signal that ended it, or null when it exited. */
  readonly signal: string | null;
  /**
   * True when the pool asked it to stop (close, maxTasksPerChild, terminate, the abort or timeout of
   * its task, a broken pool); false when it died on its own.
   */
  readonly expected: boolean;
}

/** Event names and their listeners' arguments. */
export interface PoolEvents {
  /** A worker was started (every worker-start is followed by one worker-exit). */
  'worker-start': [worker: WorkerInfo];
  /** A worker exited. */
  'worker-exit': [worker: WorkerExitInfo];
  /**
   * A task a worker had taken failed (the same error its result rejects with): counted in
   * `stats().tasks.failed`. Not emitted for cancelled tasks. Named so that, unlike `'error'`, an
   * event nobody listens to is not thrown.
   */
  'task-error': [error: unknown];
  /** Tasks had to wait in the queue, and now none waits: `maxQueue` more may be submitted. */
  drain: [];
}

export type PoolEventName = keyof PoolEvents;

/** How the scheduler reports an event. */
export type EmitPoolEvent = <K extends PoolEventName>(name: K, ...args: PoolEvents[K]) => void;

/**
 * Emits `name` on `emitter` in a microtask, calling each listener on its own: a listener that throws
 * is reported as an uncaught exception (as Node reports a throwing listener, and as a throwing
 * `Future` done-callback is), and the other listeners and the pool go on. Nothing is scheduled when
 * nobody listens, so events cost nothing to a pool without listeners.
 */
export function emitLater<K extends PoolEventName>(
  emitter: EventEmitter<PoolEvents>,
  name: K,
  ...args: PoolEvents[K]
): void {
  if (emitter.listenerCount(name) === 0) return;
  queueMicrotask(() => {
    for (const listener of emitter.rawListeners(name)) {
      try {
        Reflect.apply(listener, emitter, args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  });
}
