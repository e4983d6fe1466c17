/**
 * A Manager, kept in the main process: the set of objects made through it. `shutdown` retires them
 * all; their waiting calls fail and later calls get a clear error instead of a value.
 */
import { InvalidStateError, MprocTypeError } from '../errors.js';
import type { Call } from './call.js';
import { type BrokerObject, lookup, retire } from './registry.js';

export const MANAGER_GONE = 'the Manager that owns this object was shut down';

export class ManagerCore implements BrokerObject {
  readonly #objects = new Set<string>();
  #shutDown = false;

  /**
   * Records `id` as made through this manager.
   * @throws InvalidStateError after shutdown.
   */
  own(id: string): void {
    if (this.#shutDown) throw new InvalidStateError('the Manager was shut down: it makes no more objects');
    this.#objects.add(id);
  }

  isWrite(method: string): boolean {
    return method === 'shutdown';
  }

  invoke(method: string, _args: readonly unknown[], _call: Call): unknown {
    if (method === 'shutdown') return this.#shutdown();
    throw new MprocTypeError(`a Manager has no method '${method}'`);
  }

  /** Retires every object of this manager; the manager itself stays, so a second call does nothing. */
  #shutdown(): void {
    this.#shutDown = true;
    for (const id of this.#objects) {
      let object: BrokerObject | undefined;
      try {
        object = lookup(id);
      } catch {
        continue; // retired already
      }
      object.dispose?.(new InvalidStateError(MANAGER_GONE));
      retire(id, MANAGER_GONE);
    }
    this.#objects.clear();
  }
}
