/**
 * The state of a Manager's dict, kept in the main process. Keys are strings, as in a plain object
 * (a number key is its string, so `copy()` gives back what was set), kept in insertion order.
 */

import { MprocRangeError, MprocTypeError } from '../errors.js';
import type { Call } from './call.js';
import type { BrokerObject } from './registry.js';

const WRITES = new Set(['set', 'update', 'clear', 'delete']);

/** The entries of `update()`'s argument: a plain object, a Map, or an iterable of [key, value]. */
function entriesOf(value: unknown): Iterable<readonly [unknown, unknown]> {
  if (value instanceof Map) return value;
  if (typeof value === 'object' && value !== null && Symbol.iterator in value) {
    return value as Iterable<readonly [unknown, unknown]>;
  }
  if (typeof value === 'object' && value !== null) return Object.entries(value);
  throw new MprocTypeError('update() takes an object, a Map or an iterable of [key, value] pairs');
}

export function keyOf(key: unknown): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'bigint' || typeof key === 'boolean') return String(key);
  throw new MprocTypeError(`dict keys must be strings or numbers, got ${typeof key}`);
}

export class DictCore implements BrokerObject {
  readonly #entries = new Map<string, unknown>();

  constructor(initial: unknown) {
    if (initial !== undefined && initial !== null) this.#update(initial);
  }

  isWrite(method: string): boolean {
    return WRITES.has(method);
  }

  invoke(method: string, args: readonly unknown[], call: Call): unknown {
    const entries = this.#entries;
    switch (method) {
      case 'get': {
        const key = keyOf(args[0]);
        return entries.has(key) ? call.share(entries.get(key)) : args[1];
      }
      case 'set':
        entries.set(keyOf(args[0]), call.adopt(args[1]));
        return;
      case 'has':
        return entries.has(keyOf(args[0]));
      case 'delete':
        return entries.delete(keyOf(args[0]));
      case 'keys':
        return [...entries.keys()];
      case 'values':
        return call.share([...entries.values()]);
      case 'items':
        return call.share([...entries]);
      case 'update':
        this.#update(call.adopt(args[0]));
        return;
      case 'pop': {
        const key = keyOf(args[0]);
        if (!entries.has(key)) {
          if (args.length > 1) return args[1];
          throw new MprocRangeError(`KeyError: '${key}' is not in the dict`);
        }
        const value = entries.get(key);
        entries.delete(key);
        return value;
      }
      case 'clear':
        entries.clear();
        return;
      case 'length':
        return entries.size;
      case 'copy':
        return call.share(Object.fromEntries(entries));
    }
    throw new MprocTypeError(`a dict proxy has no method '${method}'`);
  }

  #update(source: unknown): void {
    for (const entry of entriesOf(source)) {
      if (!Array.isArray(entry) || entry.length !== 2) {
        throw new MprocTypeError('update() takes [key, value] pairs');
      }
      this.#entries.set(keyOf(entry[0]), entry[1]);
    }
  }
}
