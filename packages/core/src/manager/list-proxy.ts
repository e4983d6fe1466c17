/**
 * A Manager's list: Python's `ListProxy`. The list lives in the main process; every method is a call
 * to it and returns a Promise. Values are copied in and out (structured clone), as Python pickles them:
 * changing an object got from the list does not change the list; `set(i, v)` does.
 */
import { BrokerHandle, registerHandleKind } from '../broker/handle.js';

/**
 * A Manager's list (Python's `ListProxy`), made by `manager.list()`.
 * @throws InvalidStateError (as rejections) from every method after the Manager's `shutdown()`.
 */
export class ListProxy<T = unknown> extends BrokerHandle {
  static {
    registerHandleKind('list', (descriptor) => new ListProxy(descriptor.id));
  }

  /** @internal Use `manager.list()`. */
  constructor(id: string) {
    super(id, 'list');
  }

  /** Adds `value` at the end. @throws (as a rejection) SerializationError for a value that cannot be sent. */
  async append(value: T): Promise<void> {
    await this.invoke('append', [value], { write: true });
  }

  /** Adds every value of `values` at the end. @throws (as a rejection) SerializationError as `append`. */
  async extend(values: Iterable<T>): Promise<void> {
    await this.invoke('extend', [[...values]], { write: true });
  }

  /**
   * Inserts `value` before position `index` (negative: from the end; beyond the ends: at that end).
   * @throws (as a rejection) TypeError for an index that is not an integer.
   */
  async insert(index: number, value: T): Promise<void> {
    await this.invoke('insert', [index, value], { write: true });
  }

  /**
   * Removes and returns the item at `index` (default the last; negative: from the end).
   * @throws (as a rejection) RangeError when the list is empty or the index is out of range.
   */
  async pop(index?: number): Promise<T> {
    return (await this.invoke('pop', index === undefined ? [] : [index])) as T;
  }

  /**
   * Removes the first item equal to `value` (deep equality, as Python's `==`).
   * @throws (as a rejection) RangeError when no item is equal to it (Python's ValueError).
   */
  async remove(value: T): Promise<void> {
    await this.invoke('remove', [value], { write: true });
  }

  /**
   * The position of the first item equal to `value`, searching `[start, end)`.
   * @throws (as a rejection) RangeError when there is none (Python's ValueError).
   */
  async index(value: T, start?: number, end?: number): Promise<number> {
    return (await this.invoke('index', [value, start, end])) as number;
  }

  /** How many items are equal to `value`. */
  async count(value: T): Promise<number> {
    return (await this.invoke('count', [value])) as number;
  }

  /**
   * The item at `index` (negative: from the end), Python's `l[i]`.
   * @throws (as a rejection) RangeError when out of range; TypeError for a non-integer index.
   */
  async get(index: number): Promise<T> {
    return (await this.invoke('get', [index])) as T;
  }

  /**
   * Replaces the item at `index`, Python's `l[i] = v`.
   * @throws (as a rejection) RangeError when out of range; TypeError for a non-integer index.
   */
  async set(index: number, value: T): Promise<void> {
    await this.invoke('set', [index, value], { write: true });
  }

  /** The number of items, Python's `len(l)`. */
  async length(): Promise<number> {
    return (await this.invoke('length')) as number;
  }

  /** The items, as a plain array (Python's `l[:]`). */
  async copy(): Promise<T[]> {
    return (await this.invoke('copy')) as T[];
  }
}
