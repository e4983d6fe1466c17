/**
 * The contract a start method implements. A backend only starts a worker, carries messages to and
 * from it, reports its exit and stops it; every policy (scheduling, replacement, errors) is core's.
 * Third-party backends implement this interface and pass it to `registerBackend()`.
 */

import type { ChildMessage, ParentMessage } from './protocol/messages.js';
import type { TransferListItem } from './transfer-list-item.js';

export type { TransferListItem };

/** Bumped when the contract changes incompatibly; core refuses a backend of another version. */
export const BACKEND_API_VERSION = 1 as const;

/** What a start method can do beyond the contract; core and the tests adapt to them. */
export interface BackendCapabilities {
  /** `transfer()` moves ArrayBuffers to the worker instead of copying them. */
  readonly transfer: boolean;
  /** Each worker is an operating-system process of its own (its own pid, signals kill only it). */
  readonly separateProcess: boolean;
  /** Workers can `listen()` on one shared server port. */
  readonly sharedPort: boolean;
  /** Workers inherit the parent's `execArgv` (and so its loaders, such as tsx). */
  readonly inheritsExecArgv: boolean;
  /**
   * Workers run on other machines (a distributed backend): only Pool and ProcessPoolExecutor are
   * offered; a context's factories of processes, queues, pipes, managers, locks and shared values
   * throw. Default false.
   */
  readonly remote?: boolean;
}

/** What core tells a backend when it starts a worker. */
export interface WorkerStartOptions {
  /** The worker's environment; undefined inherits the parent's. */
  readonly env: Readonly<Record<string, string | undefined>> | undefined;
  /**
   * Node options for the worker: the `execArgv` option, else (when the backend inherits them) the
   * parent's options that make sense for a worker; undefined: none.
   */
  readonly execArgv: readonly string[] | undefined;
  /** The interpreter to start, set by `ctx.setExecutable()`; only backends that start one use it. */
  readonly executable: string | undefined;
  /**
   * The worker's heap limits (Node's `Worker` `resourceLimits`). Core turns them into Node options for
   * backends whose workers are processes, so only a thread backend needs to read this.
   */
  readonly resourceLimits?: WorkerResourceLimits | undefined;
}

/** Heap limits of a worker, in MB: the fields of Node's `Worker` `resourceLimits`. */
export interface WorkerResourceLimits {
  /** The old generation's size; on a process: `--max-old-space-size`. */
  readonly maxOldGenerationSizeMb?: number;
  /** The young generation's size; on a process: `--max-semi-space-size` (a third of it). */
  readonly maxYoungGenerationSizeMb?: number;
  /** Threads only: the code range's size (a process has no such option). */
  readonly codeRangeSizeMb?: number;
  /** The main thread's stack; on a process: `--stack-size` (in KB there). */
  readonly stackSizeMb?: number;
}

/** How and why a worker ended. */
export interface WorkerExit {
  /** The exit code, or null when a signal ended the worker. */
  readonly exitCode: number | null;
  /** The signal that ended the worker ('SIGKILL'), or null when it exited. */
  readonly signal: string | null;
  /** The uncaught error that ended it, when the backend can tell. */
  readonly error?: Error;
}

/** One running worker, as the parent sees it. */
export interface WorkerHandle {
  /** The worker's process id (on threads, the parent's). */
  readonly pid: number;
  /** The pid for process backends; the threadId on threads. */
  readonly ident: number;
  /**
   * Sends one message. Throws synchronously when the message cannot be serialized; delivery
   * failures to a dead worker are silent (its exit is reported through `onExit`).
   */
  send(message: ParentMessage, transfer: readonly TransferListItem[]): void;
  /**
   * Registers the one listener for every message the worker sends. Core ignores what is not its
   * protocol, so a backend passes messages through unfiltered.
   */
  onMessage(listener: (message: unknown) => void): void;
  /**
   * Registers the one listener called exactly once when the worker has ended. A backend without
   * signals (threads) reports 'SIGTERM' / 'SIGKILL' after `terminate()` / `kill()`, so exit codes
   * read the same on every backend.
   */
  onExit(listener: (exit: WorkerExit) => void): void;
  /** Asks the worker to stop now (SIGTERM, or `Worker.terminate()`). */
  terminate(): void;
  /** Stops the worker at once (SIGKILL, or `Worker.terminate()`). */
  kill(): void;
  /** Lets the parent's event loop exit while this worker lives (an idle pool keeps nothing alive). */
  unref(): void;
  /** Undoes `unref()` while the worker has work. */
  ref(): void;
}

/**
 * A start method: what `getContext(name)` loads from `@mproc/backend-<name>`, or what a third party
 * passes to `registerBackend()` or `getContext(backend)`.
 */
export interface Backend {
  /** The contract this backend implements: `BACKEND_API_VERSION` of the core it was built for. */
  readonly apiVersion: typeof BACKEND_API_VERSION;
  /** The start method's name: 'fork', 'spawn', 'threads', 'cluster', or a third party's. */
  readonly name: string;
  /** What it can do beyond the contract. */
  readonly capabilities: BackendCapabilities;
  /** Starts one worker that runs core's worker loop (`serve` from `@mproc/core/child`). */
  startWorker(options: WorkerStartOptions): WorkerHandle;
}

/** The worker's side of the channel, made by a backend's child entry and given to `serve()`. */
export interface ChildChannel {
  /**
   * Sends one message; throws synchronously when it cannot be serialized. Returns a promise when the
   * message is still being written (a pipe): the worker loop waits for it before it starts the next
   * task, since a task that calls `process.exit()` would drop it.
   */
  send(message: ChildMessage, transfer: readonly TransferListItem[]): void | Promise<void>;
  /** Registers the one listener for every message from the parent (core filters them). */
  onMessage(listener: (message: unknown) => void): void;
  /** Ends the worker once a stop was asked for and its work is done. */
  exit(code: number): void;
}

/**
 * What objects and options need of a Context (`context.ts`, which makes all of them): its start
 * method, its backend and the interpreter it starts. They take this instead of the class, so that
 * nothing below the composition root imports it.
 */
export interface ContextLike {
  /** The start method's name. */
  getStartMethod(): string;
  /** The backend, loaded on first use. */
  backend(): Promise<Backend>;
  /** The interpreter 'spawn' starts, when set with `setExecutable()`. */
  getExecutable(): string | undefined;
}
