/**
 * `Manager()`: Python's `multiprocessing.Manager()` (a `SyncManager`). Python starts a server process
 * that holds the shared objects; here a server thread of the main process holds them (server/), and
 * every process calls it through rings in shared memory, so proxies answer while the main thread
 * computes. Without shared memory (no native addon) the objects live in the main process's broker.
 * Its proxies may be passed to any worker; every method of a proxy returns a Promise. `shutdown()`
 * (or `await using`) frees the objects: their waiting calls and every later call fail with
 * InvalidStateError.
 */
import type { ObjectKind } from '../broker/create.js';
import { BrokerHandle, buildWith, newId, registerHandleKind } from '../broker/handle.js';
import { create, invoke } from '../broker/invoke.js';
import { addObject } from '../broker/registry.js';
import { isServedId, queuesOwnerOf, siblingId } from '../broker/served-id.js';
import { InvalidStateError, MprocTypeError } from '../errors.js';
import { isMainProcess } from '../process-info.js';
import { checkMaxsize, Queue } from '../queues/queue.js';
import { type DictKey, DictProxy } from './dict-proxy.js';
import { ListProxy } from './list-proxy.js';
import { AcquirerProxy, EventProxy, NamespaceProxy, ValueProxy } from './proxies.js';
import { forgetServer, isServing } from './server/server-link.js';
import { startManagerServer } from './server/start-server.js';

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
    return buildWith({ managerId: queuesOwnerOf(this.objectId) }, () => new Queue<T>(maxsize));
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
    if (!isServedId(this.objectId)) return;
    forgetServer(this.objectId);
    await invoke(queuesOwnerOf(this.objectId), 'shutdown', [], { write: true });
  }

  /** `shutdown()`, for `await using manager = await Manager()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  #make(kind: ObjectKind, options: { initial?: unknown }): string {
    const managerId = this.objectId;
    if (!isServedId(managerId)) {
      const id = newId();
      create(kind, id, options, managerId);
      return id;
    }
    if (!isServing(managerId))
      throw new InvalidStateError('the Manager was shut down: it makes no more objects');
    const id = siblingId(managerId, newId());
    create(kind, id, options, managerId);
    return id;
  }
}

/** The main process's starter of managers, for `Manager()` in a worker. */
const MANAGERS_ID = 'managers';

/** A new manager, from the main process: its server, and the record that owns its Queues. */
function startManager(): string {
  const id = startManagerServer() ?? newId();
  create('manager', queuesOwnerOf(id), {});
  return id;
}

addObject(MANAGERS_ID, { isWrite: () => false, invoke: startManager });

/**
 * Starts a manager. Python starts a server process here; mproc starts a server thread in the main
 * process, and resolves at once (calls made before the thread is up wait in its ring). In a worker it
 * works too: the main process starts the manager.
 * @throws InvalidStateError (as a rejection) outside the main process and mproc's workers.
 */
export async function Manager(): Promise<SyncManager> {
  if (isMainProcess()) return new SyncManager(startManager());
  return new SyncManager((await invoke(MANAGERS_ID, 'start', [])) as string);
}
