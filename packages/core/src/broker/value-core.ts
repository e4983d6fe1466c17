/**
 * A Manager's Value, kept in the main process. As in Python, the typecode is recorded but not
 * enforced: a manager's Value holds any value that can be sent.
 */

import { MprocTypeError } from '../errors.js';
import type { Call } from './call.js';
import type { BrokerObject } from './registry.js';

export class ValueCore implements BrokerObject {
  #value: unknown;

  constructor(value: unknown) {
    this.#value = value;
  }

  isWrite(method: string): boolean {
    return method === 'set';
  }

  invoke(method: string, args: readonly unknown[], call: Call): unknown {
    switch (method) {
      case 'get':
        return call.share(this.#value);
      case 'set':
        this.#value = call.adopt(args[0]);
        return;
    }
    throw new MprocTypeError(`a Value proxy has no method '${method}'`);
  }
}
