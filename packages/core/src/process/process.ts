/**
 * `Process`: Python's `multiprocessing.Process` on any start method. The child is a worker started
 * through the backend exactly as a pool's is, running core's worker loop (`serve`): it gets an init
 * message, then one run message marked `exitAfter`, so it runs the target once and exits with 0 when
 * the target returned, or prints the error and exits with 1 when it threw.
 *
 *   initial ──start()──► starting ──ready──► running ──exit──► stopped ──close()──► closed
 *      ▲                    │ (exit before ready: start() rejects; the child is stopped)
 *      └────────────────────┘ (the backend or the arguments failed: nothing runs, start() rejects)
 */
import type { Backend, WorkerExit, WorkerHandle } from '../backend.js';
import { loadBackend } from '../backend-registry.js';
import { openCaller } from '../broker/caller.js';
import {
  BootstrapError,
  InvalidStateError,
  MprocTypeError,
  SerializationError,
  WorkerExitedError,
} from '../errors.js';
import { mainModuleUrl } from '../main-module.js';
import { currentProcess, isImportingMain } from '../process-info.js';
import { isProtocolMessage, MESSAGE_TYPE } from '../protocol/messages.js';
import { outgoingList } from '../serialize/payload.js';
import { whyUnsendable } from '../serialize/unclonable-path.js';
import { getStartMethod } from '../start-method.js';
import { startWorker } from '../start-worker.js';
import { checkTimeout } from '../timeout-option.js';
import { addChild, liveChildren, removeChild } from './children.js';
import { describeExit, exitCodeOf } from './exit-code.js';
import {
  type ProcessOptions,
  type ResolvedProcessOptions,
  resolveProcessOptions,
} from './process-options.js';

export type { ProcessOptions } from './process-options.js';

type State = 'initial' | 'starting' | 'running' | 'stopped';
type Stop = 'terminate' | 'kill';

/** Numbers default names, `Process-1`, `Process-2`...; each process (or thread worker) counts its own. */
let processCounter = 0;

/** A promise with its resolve function, settled when the child ends. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/**
 * A child that runs `target(...args)` once, as Python's `multiprocessing.Process`: `await start()`,
 * `await join()`, then read `exitCode`. Made with `ctx.Process(options)` for a start method, or
 * `new Process(options)` for the default one.
 * @throws TypeError from the constructor for an invalid option or a target that cannot be sent.
 */
export class Process<A extends unknown[] = unknown[]> {
  readonly #options: ResolvedProcessOptions;
  /** N of `Process-N`, counted even when a name is given, as Python counts. */
  readonly #number: number;
  #name: string;
  #daemon: boolean;
  #state: State = 'initial';
  #closed = false;
  #handle: WorkerHandle | undefined;
  #exitCode: number | null = null;
  /** A terminate()/kill() that came while the backend was still loading. */
  #pendingStop: Stop | undefined;
  /** Calls of join() waiting: while there are some, even a daemonic child keeps this process alive. */
  #joiners = 0;
  #ended = deferred();

  /**
   * A process that will run `target(...args)` once `start()` is called.
   * @throws TypeError for an unknown option, a value of the wrong type, or a target that cannot be
   *   sent to a worker (a native or bound function, a class).
   */
  constructor(options: ProcessOptions<A>) {
    this.#options = resolveProcessOptions(options);
    this.#number = ++processCounter;
    this.#name = this.#options.name ?? `Process-${this.#number}`;
    this.#daemon = this.#options.daemon;
  }

  /** The child's name, as `currentProcess().name` reports it there; default `Process-N`. */
  get name(): string {
    return this.#name;
  }

  /** @throws TypeError when `value` is not a string. */
  set name(value: string) {
    if (typeof value !== 'string') throw new MprocTypeError('Process.name must be a string');
    this.#name = value;
  }

  /** Whether the child is daemonic: stopped when this process exits, never keeping it alive. */
  get daemon(): boolean {
    return this.#daemon;
  }

  /** @throws InvalidStateError once the process was started; TypeError for a non-boolean. */
  set daemon(value: boolean) {
    if (this.#state !== 'initial')
      throw new InvalidStateError(`${this.#name}: daemon cannot change after start()`);
    if (typeof value !== 'boolean') throw new MprocTypeError('Process.daemon must be a boolean');
    this.#daemon = value;
  }

  /**
   * The child's process id (on threads, this process's), or null before `start()`.
   * @throws InvalidStateError after `close()`.
   */
  get pid(): number | null {
    this.#assertOpen('pid');
    return this.#handle?.pid ?? null;
  }

  /**
   * The child's pid, or its threadId on threads; null before `start()`.
   * @throws InvalidStateError after `close()`.
   */
  get ident(): number | null {
    this.#assertOpen('ident');
    return this.#handle?.ident ?? null;
  }

  /**
   * Null while the child has not ended; then 0 when the target returned, 1 when it threw, `n` after
   * `process.exit(n)`, and minus the signal number when a signal ended it (`-15` after `terminate()`,
   * `-9` after `kill()`, on every backend).
   */
  get exitCode(): number | null {
    return this.#exitCode;
  }

  /**
   * Starts the child. Resolves once it runs; rejects when it cannot start: the backend is not
   * installed, an argument cannot be sent (nothing is started then, and `start()` may be called again),
   * or the child ended before it ran.
   * @throws InvalidStateError when already started or closed; BootstrapError when called while a worker
   *   imports the main module (guard the main module's top level with `isMainProcess()`).
   *   Rejects with BackendUnavailableError, SerializationError naming the path of the argument, or
   *   WorkerExitedError.
   */
  start(): Promise<void> {
    this.#assertOpen('start');
    if (this.#state !== 'initial') {
      throw new InvalidStateError(`${this.#name}.start(): a process can be started only once`);
    }
    if (isImportingMain()) {
      throw new BootstrapError(
        'a worker tried to start a process while importing the main module: guard the top level of your script with ' +
          '`if (isMainProcess()) { ... }` (Python spells it `if __name__ == "__main__":`)',
      );
    }
    this.#state = 'starting';
    addChild(this);
    return this.#launch();
  }

  /**
   * Resolves once the child has ended, or after `timeout` ms while it still runs (as Python's
   * `join(timeout)`, it does not say which: read `exitCode` or `isAlive()`).
   * @throws TypeError / RangeError for an invalid timeout; InvalidStateError after `close()`.
   *   Rejects with InvalidStateError when the process was never started.
   */
  join(timeout?: number | null): Promise<void> {
    this.#assertOpen('join');
    const limit = checkTimeout(timeout, `${this.#name}.join()`);
    if (this.#state === 'initial') {
      return Promise.reject(new InvalidStateError(`${this.#name}.join(): can only join a started process`));
    }
    if (this.#state === 'stopped') return Promise.resolve();
    this.#joiners++;
    this.#updateReference();
    const ended = this.#ended.promise;
    const waited =
      limit === undefined
        ? ended
        : new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, limit);
            void ended.then(() => {
              clearTimeout(timer);
              resolve();
            });
          });
    return waited.then(() => {
      this.#joiners--;
      this.#updateReference();
    });
  }

  /**
   * True from `start()` until the child has ended.
   * @throws InvalidStateError after `close()`.
   */
  isAlive(): boolean {
    this.#assertOpen('isAlive');
    return this.#state === 'starting' || this.#state === 'running';
  }

  /**
   * Asks the child to stop now (SIGTERM; `Worker.terminate()` on threads); `join()` to wait for it. Its
   * `exitCode` then reads `-15`. Does nothing once the child has ended.
   * @throws InvalidStateError before `start()` or after `close()`.
   */
  terminate(): void {
    this.#stop('terminate');
  }

  /**
   * Stops the child at once (SIGKILL; `Worker.terminate()` on threads); `join()` to wait for it. Its
   * `exitCode` then reads `-9`. Does nothing once the child has ended.
   * @throws InvalidStateError before `start()` or after `close()`.
   */
  kill(): void {
    this.#stop('kill');
  }

  /**
   * Releases the child's handle. Afterwards only `name`, `daemon` and `exitCode` may be read; the
   * methods and `pid`/`ident` throw. Calling it again does nothing.
   * @throws InvalidStateError while the child is starting or running.
   */
  close(): void {
    if (this.#closed) return;
    if (this.isAlive()) {
      throw new InvalidStateError(
        `${this.#name}.close(): the process is still running; join() or terminate() it first`,
      );
    }
    this.#closed = true;
    this.#handle = undefined;
  }

  // --- internals --------------------------------------------------------------------------------

  #assertOpen(what: string): void {
    if (this.#closed) throw new InvalidStateError(`${this.#name}.${what}: the process object is closed`);
  }

  async #launch(): Promise<void> {
    let running: Promise<void>;
    try {
      const { context } = this.#options;
      const backend = await (context ? context.backend() : loadBackend(getStartMethod()));
      running = this.#startWorker(backend);
    } catch (error) {
      // Nothing runs: the process is as it was before start().
      this.#state = 'initial';
      this.#pendingStop = undefined;
      removeChild(this);
      this.#ended.resolve(); // a join() called meanwhile has nothing to wait for
      this.#ended = deferred();
      throw error;
    }
    return running;
  }

  /**
   * Starts the worker and sends it the init and run messages; the promise settles when it runs.
   * @throws SerializationError naming the argument that cannot be sent (the worker is killed).
   */
  #startWorker(backend: Backend): Promise<void> {
    const options = this.#options;
    const handle = startWorker(backend, {
      env: options.env,
      execArgv: options.execArgv,
      executable: options.context?.getExecutable(),
    });
    // The child's calls on Queues, Pipes and Manager objects (broker/), answered while it runs.
    const caller = openCaller(handle);
    const running = new Promise<void>((resolve, reject) => {
      handle.onMessage((message) => {
        if (isProtocolMessage(message) && message.type === MESSAGE_TYPE.call) return caller.receive(message);
        if (this.#handle !== handle || this.#state !== 'starting') return;
        if (isProtocolMessage(message) && message.type === MESSAGE_TYPE.ready) {
          this.#state = 'running';
          this.#updateReference();
          resolve();
        }
      });
      handle.onExit((exit) => {
        caller.close();
        if (this.#handle !== handle) return; // a worker given up on in start()
        const before = this.#state === 'starting';
        this.#exited(exit);
        if (before) reject(this.#exitedBeforeRunning(exit, handle));
      });
    });
    this.#handle = handle;
    try {
      this.#send(handle);
    } catch (error) {
      this.#handle = undefined;
      handle.kill();
      throw error;
    }
    const stop = this.#pendingStop;
    this.#pendingStop = undefined;
    if (stop) this.#stop(stop);
    this.#updateReference();
    return running;
  }

  #send(handle: WorkerHandle): void {
    const { target, args, modules } = this.#options;
    handle.send(
      {
        type: MESSAGE_TYPE.init,
        workerId: this.#number,
        name: this.#name,
        ident: handle.ident,
        daemon: this.#daemon,
        parent: currentProcess(),
        initializer: null,
        initArgs: [],
        revive: false,
        modules,
        mainModule: mainModuleUrl(),
      },
      [],
    );
    const outgoing = outgoingList(args);
    try {
      handle.send(
        {
          type: MESSAGE_TYPE.run,
          taskId: 1,
          fn: target,
          mode: 'call',
          payload: outgoing.value,
          revive: outgoing.revive,
          exitAfter: true,
        },
        outgoing.transfer,
      );
    } catch (error) {
      const path = whyUnsendable(outgoing.value, 'args', error);
      throw new SerializationError(`${this.#name}.start(): cannot send the arguments: ${path}`, {
        cause: error,
      });
    }
  }

  #exitedBeforeRunning(exit: WorkerExit, handle: WorkerHandle): WorkerExitedError {
    return new WorkerExitedError(
      `${this.#name} (pid ${handle.pid}) ${describeExit(exit)} before it ran its target`,
      exit,
      { cause: exit.error },
    );
  }

  #exited(exit: WorkerExit): void {
    this.#exitCode = exitCodeOf(exit);
    this.#state = 'stopped';
    removeChild(this);
    this.#ended.resolve();
  }

  #stop(how: Stop): void {
    this.#assertOpen(how);
    if (this.#state === 'initial') {
      throw new InvalidStateError(`${this.#name}.${how}(): the process was not started`);
    }
    if (this.#state === 'stopped') return;
    const handle = this.#handle;
    if (!handle) {
      // The backend is still loading: stop the worker as soon as it exists.
      this.#pendingStop = how === 'kill' ? 'kill' : (this.#pendingStop ?? how);
      return;
    }
    if (how === 'kill') handle.kill();
    else handle.terminate();
  }

  /**
   * A non-daemonic child keeps this process alive until it ends, as Python joins such children at
   * exit; a daemonic one only while it starts or someone awaits `join()`.
   */
  #updateReference(): void {
    const handle = this.#handle;
    if (!handle || this.#state === 'stopped') return;
    if (!this.#daemon || this.#joiners > 0 || this.#state === 'starting') handle.ref();
    else handle.unref();
  }
}

/**
 * The Processes started by this process that are still alive (starting or running), as Python's
 * `multiprocessing.active_children()`.
 */
export function activeChildren(): Process[] {
  return liveChildren() as Process[];
}
