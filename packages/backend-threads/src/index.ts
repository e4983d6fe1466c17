/**
 * Start method 'threads': each worker is a `worker_threads.Worker` in the parent's process. Messages
 * travel over its MessagePort, and `transfer()` moves ArrayBuffers instead of copying them.
 *
 * @module @mproc/backend-threads
 */

import type { TransferListItem } from 'node:worker_threads';
import { Worker } from 'node:worker_threads';
import {
  BACKEND_API_VERSION,
  type Backend,
  type ParentMessage,
  type WorkerExit,
  type WorkerHandle,
  type WorkerStartOptions,
} from '@mproc/core';

const CHILD_ENTRY = new URL('./child-entry.js', import.meta.url);

/**
 * Starts the worker thread. Options that apply to a whole process (`--max-old-space-size`,
 * `--expose-gc`, `--title`...) are refused by a thread; those the parent was started with are
 * inherited from it as the parent's own, so they are left out and the thread starts without them.
 */
function startThread(
  env: WorkerStartOptions['env'],
  execArgv: string[],
  resourceLimits: WorkerStartOptions['resourceLimits'],
): Worker {
  try {
    return new Worker(CHILD_ENTRY, { env, execArgv, resourceLimits });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    // Node names them: "Initiated Worker with invalid execArgv flags: --a, --b".
    const refused = new Set((error as Error).message.split(': ')[1]?.split(', '));
    const parentOnly = execArgv.filter((option) => refused.has(option) && process.execArgv.includes(option));
    if (parentOnly.length === 0) throw error;
    return new Worker(CHILD_ENTRY, {
      env,
      execArgv: execArgv.filter((option) => !parentOnly.includes(option)),
      resourceLimits,
    });
  }
}

class ThreadWorkerHandle implements WorkerHandle {
  readonly pid = process.pid;
  readonly ident: number;
  readonly #worker: Worker;
  #stoppedWith: 'SIGTERM' | 'SIGKILL' | null = null;
  #error: Error | undefined;

  constructor(options: WorkerStartOptions) {
    this.#worker = startThread(
      options.env ?? process.env,
      [...(options.execArgv ?? [])],
      options.resourceLimits,
    );
    this.ident = this.#worker.threadId;
    this.#worker.on('error', (error) => {
      this.#error = error;
    });
  }

  send(message: ParentMessage, transfer: readonly TransferListItem[]): void {
    this.#worker.postMessage(message, transfer as TransferListItem[]);
  }

  onMessage(listener: (message: unknown) => void): void {
    this.#worker.on('message', listener);
  }

  onExit(listener: (exit: WorkerExit) => void): void {
    this.#worker.once('exit', (exitCode) => {
      listener({
        exitCode: this.#stoppedWith ? null : exitCode,
        signal: this.#stoppedWith,
        error: this.#error,
      });
    });
  }

  terminate(): void {
    this.#stop('SIGTERM');
  }

  kill(): void {
    this.#stop('SIGKILL');
  }

  #stop(signal: 'SIGTERM' | 'SIGKILL'): void {
    this.#stoppedWith ??= signal;
    void this.#worker.terminate();
  }

  ref(): void {
    this.#worker.ref();
  }

  unref(): void {
    this.#worker.unref();
  }
}

/**
 * The 'threads' start method. `getContext('threads')` loads it by itself; import it to hand it over directly
 * (`getContext(backend)`, `registerBackend(backend)`), e.g. from a bundle.
 */
export const backend: Backend = {
  apiVersion: BACKEND_API_VERSION,
  name: 'threads',
  capabilities: { transfer: true, separateProcess: false, sharedPort: false, inheritsExecArgv: true },
  startWorker: (options) => new ThreadWorkerHandle(options),
};
