/**
 * `SimpleQueue`: Python's `multiprocessing.SimpleQueue`, an unbounded queue with only `put`, `get`,
 * `empty` and `close`. It lives in the main process like every Queue (see `broker/`).
 */
import { BrokerHandle, buildWith, newId, registerHandleKind, takeOrigin } from '../broker/handle.js';
import { create } from '../broker/invoke.js';
import { QueueClosedError } from '../errors.js';

/**
 * An unbounded queue with `put`, `get`, `empty` and `close` (Python's `multiprocessing.SimpleQueue`).
 * @throws InvalidStateError (as rejections) when used outside the main process and mproc's workers.
 */
export class SimpleQueue<T = unknown> extends BrokerHandle {
  static {
    registerHandleKind('simple-queue', (descriptor) =>
      buildWith({ attachTo: descriptor.id }, () => new SimpleQueue()),
    );
  }

  #closed = false;

  /** An unbounded queue. In a worker it is created by the main process. */
  constructor() {
    const origin = takeOrigin();
    const id = origin.attachTo ?? newId();
    super(id, 'simple-queue');
    if (origin.attachTo === undefined) create('simple-queue', id, {}, origin.managerId);
  }

  /**
   * Puts `obj` in the queue.
   * @throws (as rejections) QueueClosedError after `close()`; SerializationError naming the path of a
   *   value that cannot be sent.
   */
  async put(obj: T): Promise<void> {
    this.#assertOpen('put');
    await this.invoke('put', [obj, undefined], { token: this.token, write: true });
  }

  /**
   * Removes and returns the first item, waiting for one while the queue is empty.
   * @throws (as a rejection) QueueClosedError after `close()`, also for a `get` still waiting then.
   */
  async get(): Promise<T> {
    this.#assertOpen('get');
    return (await this.invoke('get', [undefined], { token: this.token })) as T;
  }

  /** Whether the queue is empty now. */
  async empty(): Promise<boolean> {
    return (await this.invoke('empty')) as boolean;
  }

  /** Closes this handle (see `Queue.close()`); calling it again does nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.invoke('close', [], { token: this.token, write: true });
  }

  #assertOpen(what: string): void {
    if (this.#closed) throw new QueueClosedError(`SimpleQueue.${what}(): the queue is closed`);
  }
}
