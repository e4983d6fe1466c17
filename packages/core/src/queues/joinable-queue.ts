/**
 * `JoinableQueue`: a Queue that also counts the items not yet processed. Each consumer calls
 * `taskDone()` once per item it got; `join()` waits until every item put has been marked done.
 */
import type { ObjectKind } from '../broker/create.js';
import { buildWith, registerHandleKind } from '../broker/handle.js';
import { Queue } from './queue.js';

/**
 * A Queue with `taskDone()` and `join()` (Python's `multiprocessing.JoinableQueue`).
 * @throws InvalidStateError (as rejections) as Queue's methods do.
 */
export class JoinableQueue<T = unknown> extends Queue<T> {
  static {
    registerHandleKind('joinable-queue', (descriptor) =>
      buildWith({ attachTo: descriptor.id, descriptor }, () => new JoinableQueue()),
    );
  }

  protected static override readonly kind: ObjectKind = 'joinable-queue';

  /**
   * Marks one item got from the queue as processed.
   * @throws (as a rejection) RangeError when called more times than items were put (Python's
   *   ValueError); QueueClosedError after `close()`.
   */
  async taskDone(): Promise<void> {
    await this.openTransport('taskDone').taskDone();
  }

  /**
   * Resolves once every item put in the queue has been marked done with `taskDone()`.
   * @throws (as a rejection) QueueClosedError after `close()`, also for a `join()` still waiting then.
   */
  async join(): Promise<void> {
    await this.openTransport('join').join();
  }
}
