/**
 * Start method 'fork': each worker is a Node process from `child_process.fork`, inheriting the
 * parent's execArgv (and so its loaders) and environment. Messages use Node's IPC channel with the
 * 'advanced' (structured clone) serialization.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  BACKEND_API_VERSION,
  type Backend,
  type ParentMessage,
  type WorkerExit,
  type WorkerHandle,
  type WorkerStartOptions,
} from '@mproc/core';

const CHILD_ENTRY = fileURLToPath(new URL('./child-entry.js', import.meta.url));

class ForkWorkerHandle implements WorkerHandle {
  readonly #child: ChildProcess;
  #exitListener: ((exit: WorkerExit) => void) | undefined;
  #exit: WorkerExit | undefined;

  constructor(options: WorkerStartOptions) {
    this.#child = fork(CHILD_ENTRY, [String(process.pid)], {
      env: options.env ?? process.env,
      execArgv: [...(options.execArgv ?? [])],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.once('exit', (exitCode, signal) => this.#exited({ exitCode, signal }));
    // A process that could not be started at all emits 'error' and no 'exit'.
    this.#child.once('error', (error) => {
      if (this.#child.pid === undefined) this.#exited({ exitCode: null, signal: null, error });
    });
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  get ident(): number {
    return this.pid;
  }

  send(message: ParentMessage): void {
    // The callback receives delivery errors of a dying child; its exit is reported on its own.
    this.#child.send(message, undefined, undefined, () => {});
  }

  onMessage(listener: (message: unknown) => void): void {
    this.#child.on('message', listener);
  }

  onExit(listener: (exit: WorkerExit) => void): void {
    this.#exitListener = listener;
    if (this.#exit) listener(this.#exit);
  }

  terminate(): void {
    this.#child.kill('SIGTERM');
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }

  ref(): void {
    this.#child.ref();
    this.#child.channel?.ref();
  }

  unref(): void {
    this.#child.unref();
    this.#child.channel?.unref();
  }

  #exited(exit: WorkerExit): void {
    if (this.#exit) return;
    this.#exit = exit;
    this.#exitListener?.(exit);
  }
}

export const backend: Backend = {
  apiVersion: BACKEND_API_VERSION,
  name: 'fork',
  capabilities: { transfer: false, separateProcess: true, sharedPort: false, inheritsExecArgv: true },
  startWorker: (options) => new ForkWorkerHandle(options),
};
