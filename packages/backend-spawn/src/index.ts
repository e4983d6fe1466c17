/**
 * Start method 'spawn': each worker is a fresh Node interpreter from `child_process.spawn` — the one
 * `ctx.setExecutable()` names, else `process.execPath` — started with the `execArgv` option only, so
 * none of the parent's flags or loaders, and with the parent's environment unless `env` replaces it.
 * Messages travel as length-prefixed frames over two extra pipes (the child's fd 3 carries parent →
 * child, fd 4 child → parent), which leaves the child's stdout and stderr to the user, as in Python.
 *
 * @module @mproc/backend-spawn
 */
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { deserialize } from 'node:v8';
import {
  BACKEND_API_VERSION,
  type Backend,
  ChildProcessWorker,
  isProtocolMessage,
  type ParentMessage,
  type WorkerExit,
  type WorkerStartOptions,
} from '@mproc/core';
import { FrameDecoder } from './frame-decoder.js';
import { writeFrame } from './frame-writer.js';

// The CommonJS build of the entry, as fork's: it loads faster than the ES module one (measured: about
// 4 ms less CPU in each worker before its first answer).
const CHILD_ENTRY = fileURLToPath(new URL('./child-entry.cjs', import.meta.url));

/**
 * After the process exit, how long to wait for the frames it wrote before it died. They are already
 * in the pipe, so the reader's end normally comes at once; only a grandchild that inherited the pipe
 * keeps it open, and then the exit is reported after this bound.
 */
const DRAIN_AFTER_EXIT_MS = 200;

/**
 * Variables by which a Node process takes an inherited fd for an IPC channel or a cluster worker's
 * role. A parent that is itself a forked or cluster child may still carry them (in an `env` built
 * from its own); a fresh interpreter must not, or it would claim one of the frame pipes.
 */
const NODE_CHILD_MARKERS = ['NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE', 'NODE_UNIQUE_ID'];

function childEnvironment(env: WorkerStartOptions['env']): NodeJS.ProcessEnv {
  const copy: NodeJS.ProcessEnv = { ...(env ?? process.env) };
  for (const name of NODE_CHILD_MARKERS) delete copy[name];
  return copy;
}

class SpawnWorkerHandle extends ChildProcessWorker {
  /** The parent's end of the child's fd 3 (parent → child). */
  readonly #toChild: Socket;
  /** The parent's end of the child's fd 4 (child → parent). */
  readonly #fromChild: Socket;
  readonly #decoder = new FrameDecoder();
  #messageListener: ((message: unknown) => void) | undefined;
  #processExit: WorkerExit | undefined;
  #readerClosed = false;
  #drainTimer: NodeJS.Timeout | undefined;
  #error: Error | undefined;

  constructor(options: WorkerStartOptions) {
    // The exit is reported by #reportExit, once every frame the worker sent has been read.
    super(
      spawn(
        options.executable ?? process.execPath,
        [...(options.execArgv ?? []), CHILD_ENTRY, String(process.pid)],
        {
          env: childEnvironment(options.env),
          stdio: ['ignore', 'inherit', 'inherit', 'pipe', 'pipe'],
          windowsHide: true,
        },
      ),
      false,
    );
    this.#toChild = this.child.stdio[3] as Socket;
    this.#fromChild = this.child.stdio[4] as Socket;
    // A write to a child that just died fails with EPIPE; its exit is reported on its own.
    this.#toChild.on('error', () => {});
    this.#fromChild.on('error', () => {});
    this.#fromChild.on('data', (chunk: Buffer) => this.#receive(chunk));
    this.#fromChild.once('close', () => {
      this.#readerClosed = true;
      this.#reportExit();
    });
    this.child.once('exit', (exitCode, signal) => {
      this.#processExit = { exitCode, signal };
      this.#drainTimer = setTimeout(() => {
        this.#readerClosed = true;
        this.#fromChild.destroy();
        this.#reportExit();
      }, DRAIN_AFTER_EXIT_MS);
      this.#drainTimer.unref();
      this.#reportExit();
    });
  }

  send(message: ParentMessage): void {
    writeFrame(this.#toChild, message);
  }

  onMessage(listener: (message: unknown) => void): void {
    this.#messageListener = listener;
  }

  /** The frame pipes; a socket without its handle (closed) would wait for a 'connect' that never comes. */
  protected override channels(): Socket[] {
    return [this.#toChild, this.#fromChild].filter((socket) => !socket.destroyed);
  }

  #receive(chunk: Buffer): void {
    if (this.#error) return; // the stream was found corrupt: nothing after it can be trusted
    for (const frame of this.#decoder.push(chunk)) {
      let message: unknown;
      try {
        message = deserialize(frame);
      } catch (error) {
        this.#corrupt('a message from the worker could not be read', error);
        return;
      }
      // Only mproc writes fd 4: anything else there means the stream is not ours any more.
      if (!isProtocolMessage(message)) {
        this.#corrupt('the worker sent something that is not an mproc message', undefined);
        return;
      }
      this.#messageListener?.(message);
    }
    const { corruption } = this.#decoder;
    if (corruption) this.#corrupt('a frame header from the worker is not valid', corruption);
  }

  /** The stream is corrupt from here on: end the worker, and its exit says why. */
  #corrupt(what: string, cause: unknown): void {
    this.#error = new Error(
      `@mproc/backend-spawn: protocol error: ${what} (did something in the worker write to its fd 4?)`,
      { cause },
    );
    this.kill();
  }

  /** Reports the exit once the process has ended and every frame it sent was delivered. */
  #reportExit(): void {
    if (!this.#processExit || !this.#readerClosed) return;
    clearTimeout(this.#drainTimer);
    const error = this.#processExit.error ?? this.#error;
    this.reportExit(error ? { ...this.#processExit, error } : this.#processExit);
  }
}

/**
 * The 'spawn' start method. `getContext('spawn')` loads it by itself; import it to hand it over directly
 * (`getContext(backend)`, `registerBackend(backend)`), e.g. from a bundle.
 */
export const backend: Backend = {
  apiVersion: BACKEND_API_VERSION,
  name: 'spawn',
  capabilities: { transfer: false, separateProcess: true, sharedPort: false, inheritsExecArgv: false },
  startWorker: (options) => new SpawnWorkerHandle(options),
};
