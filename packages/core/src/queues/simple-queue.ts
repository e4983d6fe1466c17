/**
 * `SimpleQueue`: Python's `multiprocessing.SimpleQueue`, an unbounded queue with only `put`, `get`,
 * `empty` and `close`, on the same transport as every Queue (see queue-transport.ts).
 */
import { BrokerHandle, buildWith, newId, registerHandleKind, takeOrigin } from '../broker/handle.js';
import { QueueClosedError } from '../errors.js';
import { type BrokerCall, QueueTransport } from './queue-transport.js';

/**
 * An unbounded queue with `put`, `get`, `empty` and `close` (Python's `multiprocessing.SimpleQueue`).
 * @throws InvalidStateError (as rejections) when used outside the main process and mproc's workers.
 */
export class SimpleQueue<T = unknown> extends BrokerHandle {
  static {
    registerHandleKind('simple-queue', (descriptor) =>
      buildWith({ attachTo: descriptor.id, descriptor }, () => new SimpleQueue()),
    );
  }

  readonly #transport: QueueTransport;

  /** An unbounded queue. */
  constructor() {
    const origin = takeOrigin();
    const id = origin.attachTo ?? newId();
    super(id, 'simple-queue');
    const call: BrokerCall = (method, args, options) => this.invoke(method, args, options);
    this.#transport = QueueTransport.open('simple-queue', id, origin, 0, call, this.token);
  }

  /**
   * Puts `obj` in the queue.
   * @throws (as rejections) QueueClosedError after `close()`; SerializationError naming the path of a
   *   value that cannot be sent.
   */
  put(obj: T): Promise<void> {
    // Not async, as Queue's: the transport's promise is the answer.
    try {
      this.#assertOpen('put');
      return this.#transport.put(obj, undefined);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Removes and returns the first item, waiting for one while the queue is empty.
   * @throws (as a rejection) QueueClosedError after `close()`, also for a `get` still waiting then.
   */
  get(): Promise<T> {
    try {
      this.#assertOpen('get');
      return this.#transport.get(undefined) as Promise<T>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Whether the queue is empty now. */
  empty(): Promise<boolean> {
    return this.#transport.empty();
  }

  /** Closes this handle (see `Queue.close()`); calling it again does nothing. */
  async close(): Promise<void> {
    if (!this.#transport.closed) await this.#transport.close();
  }

  protected override describeMore(): Record<string, unknown> {
    return this.#transport.describe();
  }

  #assertOpen(what: string): void {
    if (this.#transport.closed) throw new QueueClosedError(`SimpleQueue.${what}(): the queue is closed`);
  }
}
