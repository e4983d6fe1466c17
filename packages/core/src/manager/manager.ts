/**
 * `Manager()`: Python's `multiprocessing.Manager()` (a `SyncManager`). Python starts a server process
 * that holds the shared objects; here they live in the main process, with the Queues and Pipes (see
 * `broker/`), so a manager costs no process. Its proxies may be passed to any worker; every method of
 * a proxy returns a Promise. `shutdown()` (or `await using`) frees the objects: their waiting calls
 * and every later call fail with InvalidStateError.
 */
import type { ObjectKind } from '../broker/create.js';
import { BrokerHandle, buildWith, newId, registerHandleKind } from '../broker/handle.js';
import { create } from '../broker/invoke.js';
import { MprocTypeError } from '../errors.js';
import { checkMaxsize, Queue } from '../queues/queue.js';
import { type DictKey, DictProxy } from './dict-proxy.js';
import { ListProxy } from './list-proxy.js';
import { AcquirerProxy, EventProxy, NamespaceProxy, ValueProxy } from './proxies.js';

/**
 * A manager of shared objects (Python's `SyncManager`), made by `Manager()` or `ctx.Manager()`.
 * @throws InvalidStateError from its factories after `shutdown()` (in a worker: at the first call of
 *   the object made).
 */
export class SyncManager extends BrokerHandle {
  static {
    registerHandleKind('manager', (descriptor) => new SyncManager(descriptor.id));
  }

  /** @internal Use `Manager()`. */
  constructor(id: string) {
    super(id, 'manager');
  }

  /**
   * A shared list, holding a copy of `initial`'s items.
   * @throws InvalidStateError after `shutdown()` (in a worker: at the proxy's first call);
   *   SerializationError when an item cannot be sent.
   */
  list<T = unknown>(initial?: Iterable<T>): ListProxy<T> {
    return new ListProxy<T>(
      this.#make('list', { initial: initial === undefined ? undefined : [...initial] }),
    );
  }

  /**
   * A shared dict, holding a copy of `initial`'s entries (a plain object, a Map or `[key, value]` pairs).
   * @throws InvalidStateError after `shutdown()`; TypeError for keys that are not strings or numbers;
   *   SerializationError when a value cannot be sent.
   */
  dict<V = unknown>(initial?: Record<string, V> | Iterable<readonly [DictKey, V]>): DictProxy<V> {
    const entries =
      initial !== undefined && Symbol.iterator in initial && !(initial instanceof Map)
        ? [...initial]
        : initial;
    return new DictProxy<V>(this.#make('dict', { initial: entries }));
  }

  /** A shared namespace of named values. @throws InvalidStateError after `shutdown()`. */
  Namespace(): NamespaceProxy {
    return new NamespaceProxy(this.#make('namespace', {}));
  }

  /**
   * A Queue owned by the manager (the same Queue class as the context's), freed by `shutdown()`.
   * @throws TypeError when `maxsize` is not an integer; InvalidStateError after `shutdown()`.
   */
  Queue<T = unknown>(maxsize = 0): Queue<T> {
    checkMaxsize(maxsize, 'SyncManager.Queue');
    return buildWith({ managerId: this.objectId }, () => new Queue<T>(maxsize));
  }

  /** A shared lock without an owner (Python's `threading.Lock`). @throws InvalidStateError after `shutdown()`. */
  Lock(): AcquirerProxy {
    return new AcquirerProxy(this.#make('lock', {}));
  }

  /** A shared event. @throws InvalidStateError after `shutdown()`. */
  Event(): EventProxy {
    return new EventProxy(this.#make('event', {}));
  }

  /**
   * A shared value: `Value(typecode, value)` as in Python, or `Value(value)`. As in Python the typecode
   * is not enforced.
   * @throws TypeError when the typecode is not a string; InvalidStateError after `shutdown()`;
   *   SerializationError when the value cannot be sent.
   */
  Value<T = unknown>(typecodeOrValue: string | T, ...value: [] | [T]): ValueProxy<T> {
    if (value.length === 0) return new ValueProxy<T>(this.#make('value', { initial: typecodeOrValue }));
    if (typeof typecodeOrValue !== 'string')
      throw new MprocTypeError('SyncManager.Value(typecode, value): typecode must be a string');
    return new ValueProxy<T>(this.#make('value', { initial: value[0] }));
  }

  /**
   * Frees every object made through this manager; their waiting calls and later calls fail with
   * InvalidStateError. Calling it again does nothing.
   */
  async shutdown(): Promise<void> {
    await this.invoke('shutdown', [], { write: true });
  }

  /** `shutdown()`, for `await using manager = await Manager()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  #make(kind: ObjectKind, options: { initial?: unknown }): string {
    const id = newId();
    create(kind, id, options, this.objectId);
    return id;
  }
}

/**
 * Starts a manager. Python starts a server process here; mproc keeps the objects in the main process,
 * so this resolves at once. In a worker it works too: the main process makes the manager.
 * @throws InvalidStateError (as a rejection) outside the main process and mproc's workers.
 */
export async function Manager(): Promise<SyncManager> {
  const id = newId();
  create('manager', id, {});
  return new SyncManager(id);
}
