/** The attributes of a Manager's Namespace, kept in the main process. */

import { MprocTypeError } from '../errors.js';
import type { Call } from './call.js';
import type { BrokerObject } from './registry.js';

export class NamespaceCore implements BrokerObject {
  readonly #attributes = new Map<string, unknown>();

  isWrite(method: string): boolean {
    return method === 'set';
  }

  invoke(method: string, args: readonly unknown[], call: Call): unknown {
    const name = args[0];
    if (typeof name !== 'string') throw new MprocTypeError('a Namespace attribute name must be a string');
    switch (method) {
      case 'get':
        return call.share(this.#attributes.get(name));
      case 'set':
        this.#attributes.set(name, call.adopt(args[1]));
        return;
    }
    throw new MprocTypeError(`a Namespace proxy has no method '${method}'`);
  }
}
