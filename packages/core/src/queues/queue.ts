/**
 * `Queue`: Python's `multiprocessing.Queue` for every start method. The queue is a ring in shared
 * memory that every process puts into and gets from itself (channels/ring-queue.ts); without the
 * native addon, and for a Manager's queues, it lives in the main process (broker/). A Queue object is
 * a handle on it that may be passed to any worker, at any depth of a task's arguments, a Process's
 * args or a pool's initArgs, and works there. Many producers and consumers may use it at once: each
 * item is delivered exactly once, and one producer's items in the order it put them.
 *
 * As in Python, `close()` closes this handle only: this process can no longer put or get through it,
 * and its waiting calls fail with QueueClosedError; other processes' handles go on working.
 */
import type { ObjectKind } from '../broker/create.js';
import { BrokerHandle, buildWith, newId, registerHandleKind, takeOrigin } from '../broker/handle.js';
import { type BlockOptions, waitLimit } from '../broker/wait-options.js';
import { MprocTypeError, QueueClosedError, shown } from '../errors.js';
import { type BrokerCall, QueueTransport } from './queue-transport.js';

export type { BlockOptions } from '../broker/wait-options.js';

/**
 * Checks a queue's `maxsize`: an integer, 0 or less meaning no limit (Python's default 0).
 * @throws TypeError when it is not an integer.
 */
export function checkMaxsize(maxsize: unknown, what: string): number {
  if (typeof maxsize !== 'number' || !Number.isInteger(maxsize)) {
    throw new MprocTypeError(`${what}: maxsize must be an integer, got ${shown(maxsize)}`);
  }
  return maxsize;
}

/**
 * A FIFO queue shared by every worker it is passed to (Python's `multiprocessing.Queue`); every method
 * returns a Promise. See the module comment.
 *
 * @example
 * ```ts
 * const ctx = getContext('fork');
 * const queue = ctx.Queue<number>();
 * const producer = ctx.Process({
 *   target: async (q) => {
 *     for (let i = 0; i < 3; i++) await q.put(i);
 *   },
 *   args: [queue],
 * });
 * await producer.start();
 * console.log(await queue.get(), await queue.get({ timeout: 1_000 }), await queue.get()); // 0 1 2
 * await producer.join();
 * ```
 * @throws InvalidStateError (as rejections) from every method when the queue belongs to a Manager that
 *   was shut down, or when used outside the main process and mproc's workers.
 */
export class Queue<T = unknown> extends BrokerHandle implements AsyncIterable<T> {
  static {
    registerHandleKind('queue', (descriptor) =>
      buildWith({ attachTo: descriptor.id, descriptor }, () => new Queue()),
    );
  }

  /** The kind of object a `new` of this class creates; subclasses set their own. */
  protected static readonly kind: ObjectKind = 'queue';
  readonly #transport: QueueTransport;

  /**
   * A queue holding at most `maxsize` items (0 or less: no limit).
   * @throws TypeError when `maxsize` is not an integer.
   */
  constructor(maxsize = 0) {
    const kind = (new.target as unknown as { kind: ObjectKind }).kind;
    const origin = takeOrigin();
    const attached = origin.attachTo !== undefined;
    if (!attached) checkMaxsize(maxsize, new.target.name);
    const id = origin.attachTo ?? newId();
    super(id, kind);
    const call: BrokerCall = (method, args, options) => this.invoke(method, args, options);
    this.#transport = QueueTransport.open(kind, id, origin, maxsize, call, this.token);
  }

  /**
   * Puts `obj` in the queue. When the queue is full, waits for room (at most `timeout` ms), or with
   * `block: false` fails at once.
   * @throws (as rejections) Full when there is no room in time; QueueClosedError after `close()`;
   *   SerializationError naming the path of a value that cannot be sent; TypeError/RangeError for
   *   invalid options.
   */
  put(obj: T, options?: BlockOptions): Promise<void> {
    // Not async: a put with room is written before put() returns, and the promise is the transport's.
    try {
      this.#assertOpen('put');
      return this.#transport.put(obj, waitLimit(options, 'Queue.put()').timeout);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * `put(obj, { block: false })`.
   * @throws (as rejections) Full when the queue is full; QueueClosedError after `close()`.
   */
  putNowait(obj: T): Promise<void> {
    return this.put(obj, { block: false });
  }

  /**
   * Removes and returns the first item. When the queue is empty, waits for one (at most `timeout`
   * ms), or with `block: false` fails at once.
   * @throws (as rejections) Empty when no item came in time; QueueClosedError after `close()`, also
   *   for a `get` still waiting then; TypeError/RangeError for invalid options.
   */
  get(options?: BlockOptions): Promise<T> {
    // Not async: the transport's promise is the answer, with no second promise to settle per item.
    try {
      this.#assertOpen('get');
      return this.#transport.get(waitLimit(options, 'Queue.get()').timeout) as Promise<T>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * `get({ block: false })`.
   * @throws (as rejections) Empty when the queue is empty; QueueClosedError after `close()`.
   */
  getNowait(): Promise<T> {
    return this.get({ block: false });
  }

  /** The number of items in the queue now (other processes may change it at any moment). */
  async qsize(): Promise<number> {
    return this.#transport.qsize();
  }

  /** Whether the queue is empty now. */
  async empty(): Promise<boolean> {
    return this.#transport.empty();
  }

  /** Whether the queue is full now. */
  async full(): Promise<boolean> {
    return this.#transport.full();
  }

  /**
   * Closes this handle: this process puts and gets no more through it, and its waiting calls fail
   * with QueueClosedError. Other handles on the queue are not affected, as in Python. Calling it
   * again does nothing.
   */
  async close(): Promise<void> {
    if (this.#transport.closed) return;
    await this.#transport.close();
  }

  /**
   * Yields items as they arrive, for `for await (const item of queue)`; the loop ends when the caller
   * breaks, or when this handle is closed.
   * @throws what `get()` rejects with, other than QueueClosedError after `close()`.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    while (!this.#transport.closed) {
      try {
        yield await this.get();
      } catch (error) {
        if (this.#transport.closed && QueueClosedError.isInstance(error)) return;
        throw error;
      }
    }
  }

  /**
   * @internal For JoinableQueue: where calls go, once this handle is checked open.
   * @throws QueueClosedError once this handle is closed.
   */
  protected openTransport(what: string): QueueTransport {
    this.#assertOpen(what);
    return this.#transport;
  }

  protected override describeMore(): Record<string, unknown> {
    return this.#transport.describe();
  }

  #assertOpen(what: string): void {
    if (this.#transport.closed) throw new QueueClosedError(`Queue.${what}(): the queue is closed`);
  }
}
