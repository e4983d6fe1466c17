/**
 * A Manager's Lock, kept in the main process: Python's `threading.Lock` behind a proxy. It has no
 * owner (any process may release it); waiting `acquire` calls are served in arrival order. A worker
 * that dies holding it leaves it locked, as in Python; one that dies waiting is skipped.
 */
import { InvalidStateError, MprocTypeError } from '../errors.js';
import type { Call } from './call.js';
import type { BrokerObject } from './registry.js';
import { WaitQueue } from './wait-queue.js';

export class LockCore implements BrokerObject {
  #locked = false;
  readonly #waiters = new WaitQueue<boolean>();

  isWrite(method: string): boolean {
    return method === 'release';
  }

  invoke(method: string, args: readonly unknown[], call: Call): unknown {
    switch (method) {
      case 'acquire':
        if (!this.#locked) {
          this.#locked = true;
          return true;
        }
        return this.#waiters.wait(call, args[0] as number | undefined, () => false, undefined);
      case 'release': {
        if (!this.#locked) throw new InvalidStateError('release() of a lock that is not locked');
        // The lock passes straight to the next waiter, which cannot be overtaken.
        const next = this.#waiters.take();
        if (next) next.resolve(true);
        else this.#locked = false;
        return;
      }
      case 'locked':
        return this.#locked;
    }
    throw new MprocTypeError(`a Lock proxy has no method '${method}'`);
  }

  dispose(error: Error): void {
    this.#waiters.rejectWhere(() => error);
  }
}
