/** Python's start-method object: the factories of every mproc object, bound to one backend. */
import type { Backend } from './backend.js';
import {
  BUILTIN_START_METHODS,
  isAvailable,
  loadBackend,
  loadedBackend,
  packageOf,
  registerBackend,
} from './backend-registry.js';
import { BackendUnavailableError, MprocTypeError, shown } from './errors.js';
import { ProcessPoolExecutor, type ProcessPoolExecutorOptions } from './executor/process-pool-executor.js';
import { Manager, type SyncManager } from './manager/manager.js';
import { type Connection, Pipe } from './pipe/connection.js';
import { Pool, type PoolOptions } from './pool/pool.js';
import { Process, type ProcessOptions } from './process/process.js';
import { JoinableQueue } from './queues/joinable-queue.js';
import { Queue } from './queues/queue.js';
import { SimpleQueue } from './queues/simple-queue.js';
import { type ArrayOptions, SharedArray } from './shared/shared-array.js';
import type { Typecode, TypecodeValue } from './shared/typecodes.js';
import { Value, type ValueOptions } from './shared/value.js';
import { getStartMethod, type StartMethod } from './start-method.js';
import { Barrier } from './sync/barrier.js';
import { Condition, type ConditionLock } from './sync/condition.js';
import { Event as SharedEvent } from './sync/event.js';
import { Lock } from './sync/lock.js';
import { RLock } from './sync/rlock.js';
import { BoundedSemaphore, Semaphore } from './sync/semaphore.js';

/**
 * Python's context (`multiprocessing.get_context(method)`): the factories of every mproc object, bound
 * to one start method's backend. `getContext()` hands out one Context per start method; the objects
 * a context makes are shared by that context's workers.
 *
 * @example
 * ```ts
 * const ctx = getContext('threads'); // 'fork' | 'spawn' | 'threads' | 'cluster', or a Backend
 * await using pool = ctx.Pool({ processes: 2 });
 * const lock = ctx.Lock();
 * const total = ctx.Value('d', 0);
 * ```
 */
export class Context {
  readonly #method: string;
  readonly #backend: Backend | undefined;
  #executable: string | undefined;

  /** @internal Use `getContext()`. */
  constructor(method: string | Backend) {
    if (typeof method === 'string') {
      this.#method = method;
    } else {
      this.#method = method.name;
      this.#backend = method;
    }
  }

  /** The start method's name. */
  getStartMethod(): string {
    return this.#method;
  }

  /** Sets the Node executable that start methods starting a fresh interpreter (spawn) run. */
  setExecutable(path: string): void {
    if (typeof path !== 'string' || !path)
      throw new MprocTypeError('setExecutable(path): path must be a non-empty string');
    this.#executable = path;
  }

  /** The executable set by `setExecutable()`, or undefined for `process.execPath`. */
  getExecutable(): string | undefined {
    return this.#executable;
  }

  /**
   * The backend, loaded on first use.
   * @throws BackendUnavailableError (as a rejection) naming the package to install.
   */
  backend(): Promise<Backend> {
    return this.#backend ? Promise.resolve(this.#backend) : loadBackend(this.#method);
  }

  /** A Pool on this context's start method. See `Pool`. */
  Pool(options: Omit<PoolOptions, 'context'> = {}): Pool {
    return new Pool(this.#bound(options, 'context', 'ctx.Pool'));
  }

  /**
   * A Process on this context's start method. See `Process`.
   * @throws TypeError naming an invalid option, or for a target that cannot be sent.
   */
  Process<A extends unknown[]>(options: Omit<ProcessOptions<A>, 'context'>): Process<A> {
    this.#localOnly('ctx.Process');
    return new Process<A>(this.#bound(options, 'context', 'ctx.Process'));
  }

  // Queues, pipes and managers live in the main process and work with every start method alike,
  // so these factories are the same on every context (see broker/).

  /**
   * A queue for any of this context's workers. See `Queue`.
   * @throws TypeError when `maxsize` is not an integer.
   */
  Queue<T = unknown>(maxsize = 0): Queue<T> {
    this.#localOnly('ctx.Queue');
    return new Queue<T>(maxsize);
  }

  /** An unbounded queue with only put, get, empty and close. See `SimpleQueue`. */
  SimpleQueue<T = unknown>(): SimpleQueue<T> {
    this.#localOnly('ctx.SimpleQueue');
    return new SimpleQueue<T>();
  }

  /**
   * A queue whose consumers mark items done, with `join()`. See `JoinableQueue`.
   * @throws TypeError when `maxsize` is not an integer.
   */
  JoinableQueue<T = unknown>(maxsize = 0): JoinableQueue<T> {
    this.#localOnly('ctx.JoinableQueue');
    return new JoinableQueue<T>(maxsize);
  }

  /**
   * The two ends of a pipe, synchronously. See `Pipe`.
   * @throws TypeError when `duplex` is not a boolean.
   */
  Pipe(duplex = true): [Connection, Connection] {
    this.#localOnly('ctx.Pipe');
    return Pipe(duplex);
  }

  /** A manager of shared lists, dicts and other objects. See `Manager`. */
  Manager(): Promise<SyncManager> {
    this.#localOnly('ctx.Manager');
    return Manager();
  }

  /** A ProcessPoolExecutor on this context's start method. See `ProcessPoolExecutor`. */
  ProcessPoolExecutor(options: Omit<ProcessPoolExecutorOptions, 'mpContext'> = {}): ProcessPoolExecutor {
    return new ProcessPoolExecutor(this.#bound(options, 'mpContext', 'ctx.ProcessPoolExecutor'));
  }

  /** A Lock shared by this context's workers. See `Lock`. */
  Lock(): Lock {
    this.#localOnly('ctx.Lock');
    return new Lock(this);
  }

  /** A re-entrant lock shared by this context's workers. See `RLock`. */
  RLock(): RLock {
    this.#localOnly('ctx.RLock');
    return new RLock(this);
  }

  /**
   * A semaphore with `value` units shared by this context's workers. See `Semaphore`.
   * @throws RangeError when `value` is not an integer from 0 to 2^31 - 1.
   */
  Semaphore(value = 1): Semaphore {
    this.#localOnly('ctx.Semaphore');
    return new Semaphore(value, this);
  }

  /**
   * A semaphore that cannot be released above `value`. See `BoundedSemaphore`.
   * @throws RangeError when `value` is not an integer from 0 to 2^31 - 1.
   */
  BoundedSemaphore(value = 1): BoundedSemaphore {
    this.#localOnly('ctx.BoundedSemaphore');
    return new BoundedSemaphore(value, this);
  }

  /** A flag shared by this context's workers. See `Event`. */
  Event(): SharedEvent {
    this.#localOnly('ctx.Event');
    return new SharedEvent(this);
  }

  /**
   * A condition variable over `lock` (default: a new RLock) shared by this context's workers. See
   * `Condition`.
   * @throws TypeError when `lock` is neither a Lock nor an RLock.
   */
  Condition(lock?: ConditionLock | null): Condition {
    this.#localOnly('ctx.Condition');
    return new Condition(lock, this);
  }

  /**
   * A barrier for `parties` of this context's workers; `action` runs in the last arrival's worker.
   * See `Barrier`.
   * @throws RangeError for `parties` outside 1..65535 or a negative `timeout`.
   * @throws TypeError when `action` cannot be sent to a worker.
   */
  Barrier(parties: number, action?: (() => unknown) | null, timeout?: number | null): Barrier {
    this.#localOnly('ctx.Barrier');
    return new Barrier(parties, action, timeout, this);
  }

  /**
   * A number in memory shared by this context's workers, read and written synchronously. See `Value`.
   * @throws TypeError for an unknown typecode, an initial value of the wrong type or invalid options.
   */
  Value<C extends Typecode>(
    typecode: C,
    initial?: TypecodeValue<C> | number,
    options: Omit<ValueOptions, 'context'> = {},
  ): Value<TypecodeValue<C>> {
    this.#localOnly('ctx.Value');
    return new Value(typecode, initial, this.#bound(options, 'context', 'ctx.Value'));
  }

  /**
   * A fixed-length array of numbers in memory shared by this context's workers. See `Array`.
   * @throws TypeError for an unknown typecode, a value of the wrong type or invalid options.
   * @throws RangeError for a size that is not a non-negative integer.
   */
  Array<C extends Typecode>(
    typecode: C,
    sizeOrValues: number | Iterable<TypecodeValue<C> | number>,
    options: Omit<ArrayOptions, 'context'> = {},
  ): SharedArray<TypecodeValue<C>> {
    this.#localOnly('ctx.Array');
    return new SharedArray(typecode, sizeOrValues, this.#bound(options, 'context', 'ctx.Array'));
  }

  /**
   * Objects that live in this machine's memory or processes cannot reach workers on other machines.
   * @throws TypeError naming the object and the start method, on a backend with `capabilities.remote`.
   */
  #localOnly(what: string): void {
    const backend = this.#backend ?? loadedBackend(this.#method);
    if (backend?.capabilities.remote) {
      throw new MprocTypeError(
        `${what}: not available on the '${this.#method}' start method, whose workers run on other machines: ` +
          'only Pool and ProcessPoolExecutor work there',
        'ERR_MPROC_NOT_ON_THIS_START_METHOD',
      );
    }
  }

  /**
   * `options` with this context under `key`. A context of the caller's own there would be silently
   * replaced, so it is refused, as is options that are not an object.
   * @throws TypeError naming the factory and the option.
   */
  #bound<T extends object, K extends string>(options: T, key: K, what: string): T & Record<K, Context> {
    if (typeof options !== 'object' || options === null) {
      throw new MprocTypeError(`${what}: options must be an object, got ${shown(options)}`);
    }
    if (key in options) {
      throw new MprocTypeError(
        `${what}: option '${key}' is not taken here: the context is the one whose factory is called`,
      );
    }
    return { ...options, [key]: this } as T & Record<K, Context>;
  }
}

const contexts = new Map<string, Context>();

/**
 * The context of a start method ('fork' | 'spawn' | 'threads' | 'cluster', or a registered name),
 * or of a Backend object; with no argument, the default start method's.
 * @throws BackendUnavailableError when the start method's package is not installed.
 */
export function getContext(method?: StartMethod | Backend): Context {
  if (method !== undefined && typeof method !== 'string') {
    registerBackend(method);
    return new Context(method);
  }
  const name = method ?? getStartMethod();
  let context = contexts.get(name);
  if (!context) {
    if (!isAvailable(name)) {
      const known = (BUILTIN_START_METHODS as readonly string[]).includes(name);
      throw new BackendUnavailableError(
        known
          ? `the start method '${name}' needs the package ${packageOf(name)}: npm install ${packageOf(name)}`
          : `no start method '${name}' is installed or registered: the built-in ones are ` +
              `${BUILTIN_START_METHODS.join(', ')}; a third-party one is registered with registerBackend() ` +
              `or installed as its package (npm install ${packageOf(name)})`,
      );
    }
    context = new Context(name);
    contexts.set(name, context);
  }
  return context;
}
