/** A Manager's Event, kept in the main process: Python's `threading.Event` behind a proxy. */

import { MprocTypeError } from '../errors.js';
import type { Call } from './call.js';
import type { BrokerObject } from './registry.js';
import { WaitQueue } from './wait-queue.js';

const WRITES = new Set(['set', 'clear']);

export class EventCore implements BrokerObject {
  #flag = false;
  readonly #waiters = new WaitQueue<boolean>();

  isWrite(method: string): boolean {
    return WRITES.has(method);
  }

  invoke(method: string, args: readonly unknown[], call: Call): unknown {
    switch (method) {
      case 'set':
        this.#flag = true;
        this.#waiters.resolveAll(true);
        return;
      case 'clear':
        this.#flag = false;
        return;
      case 'isSet':
        return this.#flag;
      case 'wait':
        if (this.#flag) return true;
        return this.#waiters.wait(call, args[0] as number | undefined, () => false, undefined);
    }
    throw new MprocTypeError(`an Event proxy has no method '${method}'`);
  }

  dispose(error: Error): void {
    this.#waiters.rejectWhere(() => error);
  }
}
