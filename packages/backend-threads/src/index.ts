/**
 * Start method 'threads': each worker is a `worker_threads.Worker` in the parent's process. Messages
 * travel over its MessagePort, and `transfer()` moves ArrayBuffers instead of copying them.
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

class ThreadWorkerHandle implements WorkerHandle {
  readonly pid = process.pid;
  readonly ident: number;
  readonly #worker: Worker;
  #stoppedWith: 'SIGTERM' | 'SIGKILL' | null = null;
  #error: Error | undefined;

  constructor(options: WorkerStartOptions) {
    this.#worker = new Worker(CHILD_ENTRY, {
      env: options.env ?? process.env,
      execArgv: [...(options.execArgv ?? [])],
    });
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

export const backend: Backend = {
  apiVersion: BACKEND_API_VERSION,
  name: 'threads',
  capabilities: { transfer: true, separateProcess: false, sharedPort: false, inheritsExecArgv: true },
  startWorker: (options) => new ThreadWorkerHandle(options),
};
