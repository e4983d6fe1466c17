/**
 * The state of a Manager's list, kept in the main process, with Python's list semantics: negative
 * indexes count from the end, `insert` clamps its index, and `index`/`count`/`remove` compare by
 * value (deep equality, as Python's `==` compares lists and dicts).
 */
import { isDeepStrictEqual } from 'node:util';
import { MprocRangeError, MprocTypeError, shown } from '../errors.js';
import type { Call } from './call.js';
import type { BrokerObject } from './registry.js';

const WRITES = new Set(['append', 'extend', 'insert', 'set']);

/** `index` as a position in a list of `length`, negative counting from the end; undefined when outside. */
function position(index: unknown, length: number): number | undefined {
  if (typeof index !== 'number' || !Number.isInteger(index)) {
    throw new MprocTypeError(`list indices must be integers, got ${shown(index)}`);
  }
  const at = index < 0 ? index + length : index;
  return at >= 0 && at < length ? at : undefined;
}

export class ListCore implements BrokerObject {
  readonly #items: unknown[];

  constructor(items: unknown[]) {
    this.#items = items;
  }

  isWrite(method: string): boolean {
    return WRITES.has(method);
  }

  invoke(method: string, args: readonly unknown[], call: Call): unknown {
    const items = this.#items;
    switch (method) {
      case 'append':
        items.push(call.adopt(args[0]));
        return;
      case 'extend': {
        const added = call.adopt(args[0]);
        if (!Array.isArray(added)) throw new MprocTypeError('extend() takes an array');
        for (const item of added) items.push(item);
        return;
      }
      case 'insert': {
        const index = args[0];
        if (typeof index !== 'number' || !Number.isInteger(index)) {
          throw new MprocTypeError(`list indices must be integers, got ${shown(index)}`);
        }
        const at = index < 0 ? Math.max(0, index + items.length) : Math.min(index, items.length);
        items.splice(at, 0, call.adopt(args[1]));
        return;
      }
      case 'pop':
        return this.#pop(args.length > 0 && args[0] !== undefined ? args[0] : -1);
      case 'remove': {
        const at = this.#indexOf(args[0], 0, items.length);
        if (at < 0) throw new MprocRangeError('list.remove(x): x not in list');
        items.splice(at, 1);
        return;
      }
      case 'index': {
        const at = this.#indexOf(args[0], this.#bound(args[1], 0), this.#bound(args[2], items.length));
        if (at < 0) throw new MprocRangeError('list.index(x): x not in list');
        return at;
      }
      case 'count':
        return items.filter((item) => isDeepStrictEqual(item, args[0])).length;
      case 'get': {
        const at = position(args[0], items.length);
        if (at === undefined) throw new MprocRangeError('list index out of range');
        return call.share(items[at]);
      }
      case 'set': {
        const at = position(args[0], items.length);
        if (at === undefined) throw new MprocRangeError('list assignment index out of range');
        items[at] = call.adopt(args[1]);
        return;
      }
      case 'length':
        return items.length;
      case 'copy':
        return call.share(items);
    }
    throw new MprocTypeError(`a list proxy has no method '${method}'`);
  }

  #pop(index: unknown): unknown {
    if (this.#items.length === 0) throw new MprocRangeError('pop from empty list');
    const at = position(index, this.#items.length);
    if (at === undefined) throw new MprocRangeError('pop index out of range');
    return this.#items.splice(at, 1)[0];
  }

  /** A slice bound as Python takes it: negative from the end, clamped to the list. */
  #bound(value: unknown, fallback: number): number {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new MprocTypeError(`slice indices must be integers, got ${shown(value)}`);
    }
    const length = this.#items.length;
    return Math.min(length, Math.max(0, value < 0 ? value + length : value));
  }

  #indexOf(value: unknown, start: number, end: number): number {
    for (let at = start; at < end; at++) if (isDeepStrictEqual(this.#items[at], value)) return at;
    return -1;
  }
}
