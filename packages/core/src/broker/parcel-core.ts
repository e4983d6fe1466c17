/**
 * Items that a ring cannot carry as bytes (larger than the ring, or holding a SharedArrayBuffer),
 * kept in the main process under an id while a marker with that id travels through the ring in their
 * place (see channels/ring-queue.ts). The putter stores the item before it writes the marker, so the
 * getter that reads the marker always finds it here.
 */
import { InvalidStateError, MprocTypeError } from '../errors.js';
import type { Call } from './call.js';
import { addObject, type BrokerObject } from './registry.js';

/** The id every process calls the parcel store by. */
export const PARCELS_ID = 'parcels';

class ParcelCore implements BrokerObject {
  readonly #parcels = new Map<string, unknown>();

  isWrite(method: string): boolean {
    return method === 'store';
  }

  invoke(method: string, args: readonly unknown[], call: Call): unknown {
    const id = args[0] as string;
    switch (method) {
      case 'store':
        // `owned`: the caller made a copy of its own (bytes, perhaps staged in a memfd).
        this.#parcels.set(id, args[2] === true ? args[1] : call.adopt(args[1], 'the item'));
        return undefined;
      case 'take': {
        if (!this.#parcels.has(id)) throw new InvalidStateError(`no item is kept under '${id}'`);
        const value = this.#parcels.get(id);
        this.#parcels.delete(id);
        return value;
      }
    }
    throw new MprocTypeError(`the parcel store has no method '${method}'`);
  }
}

addObject(PARCELS_ID, new ParcelCore());
