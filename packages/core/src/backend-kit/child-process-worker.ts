/**
 * What every backend whose worker is a child process shares: pid and ident, stopping by signal,
 * ref/unref of the process and its channels, and reporting the exit exactly once (including a
 * process that could not be started at all, which emits 'error' and no 'exit'). A backend adds how
 * messages travel (`send`, `onMessage`) and, when it needs to, when the exit is reported.
 */
import type { ChildProcess } from 'node:child_process';
import type { WorkerExit, WorkerHandle } from '../backend.js';
import type { ParentMessage } from '../protocol/messages.js';
import { reapWithParent } from './orphan-reaper.js';

interface Referable {
  ref(): void;
  unref(): void;
}

export abstract class ChildProcessWorker implements WorkerHandle {
  /** The worker's process. */
  protected readonly child: ChildProcess;
  #exitListener: ((exit: WorkerExit) => void) | undefined;
  #exit: WorkerExit | undefined;

  /** `reportExitOnExit: false` when the subclass reports the exit itself (see spawn). */
  constructor(child: ChildProcess, reportExitOnExit = true) {
    this.child = child;
    reapWithParent(child);
    if (reportExitOnExit) child.once('exit', (exitCode, signal) => this.reportExit({ exitCode, signal }));
    child.once('error', (error) => {
      if (child.pid === undefined) this.reportExit({ exitCode: null, signal: null, error });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get ident(): number {
    return this.pid;
  }

  abstract send(message: ParentMessage, transfer: readonly unknown[]): void;
  abstract onMessage(listener: (message: unknown) => void): void;

  onExit(listener: (exit: WorkerExit) => void): void {
    this.#exitListener = listener;
    if (this.#exit) listener(this.#exit);
  }

  terminate(): void {
    this.child.kill('SIGTERM');
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }

  ref(): void {
    this.child.ref();
    for (const handle of this.channels()) handle.ref();
  }

  unref(): void {
    this.child.unref();
    for (const handle of this.channels()) handle.unref();
  }

  /** Handles besides the process that keep the event loop alive: by default the IPC channel. */
  protected channels(): Referable[] {
    return this.child.channel ? [this.child.channel] : [];
  }

  /** Reports the worker's end once; later calls are ignored. */
  protected reportExit(exit: WorkerExit): void {
    if (this.#exit) return;
    this.#exit = exit;
    this.#exitListener?.(exit);
  }
}

/** A child process whose messages use Node's IPC channel (fork, cluster). */
export class IpcChildWorker extends ChildProcessWorker {
  send(message: ParentMessage): void {
    // The callback receives delivery errors of a dying child; its exit is reported on its own.
    this.child.send(message, undefined, undefined, () => {});
  }

  onMessage(listener: (message: unknown) => void): void {
    this.child.on('message', listener);
  }
}
