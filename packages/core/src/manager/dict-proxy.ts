/**
 * A Manager's dict: Python's `DictProxy`. The dict lives in the main process; every method is a call
 * to it and returns a Promise. Keys are strings (a number key is its string, as in a plain object);
 * values are copied in and out.
 */
import { BrokerHandle, registerHandleKind } from '../broker/handle.js';

/** A Manager dict's keys: strings or numbers (a number and its string are different keys, as in Python). */
export type DictKey = string | number;

/**
 * A Manager's dict (Python's `DictProxy`), made by `manager.dict()`.
 * @throws InvalidStateError (as rejections) from every method after the Manager's `shutdown()`.
 */
export class DictProxy<V = unknown> extends BrokerHandle {
  static {
    registerHandleKind('dict', (descriptor) => new DictProxy(descriptor.id));
  }

  /** @internal Use `manager.dict()`. */
  constructor(id: string) {
    super(id, 'dict');
  }

  /** The value of `key`, or `fallback` (default undefined) when there is none. */
  async get(key: DictKey, fallback?: V): Promise<V | undefined> {
    return (await this.invoke('get', [key, fallback])) as V | undefined;
  }

  /**
   * Sets `key` to `value`, Python's `d[k] = v`.
   * @throws (as a rejection) SerializationError for a value that cannot be sent; TypeError for a key
   *   that is not a string or a number.
   */
  async set(key: DictKey, value: V): Promise<void> {
    await this.invoke('set', [key, value], { write: true });
  }

  /** Whether `key` is in the dict, Python's `k in d`. */
  async has(key: DictKey): Promise<boolean> {
    return (await this.invoke('has', [key])) as boolean;
  }

  /** Removes `key`, Python's `del d[k]`; resolves to whether it was there. */
  async delete(key: DictKey): Promise<boolean> {
    return (await this.invoke('delete', [key], { write: true })) as boolean;
  }

  /** The keys, in insertion order. */
  async keys(): Promise<string[]> {
    return (await this.invoke('keys')) as string[];
  }

  /** The values, in insertion order of their keys. */
  async values(): Promise<V[]> {
    return (await this.invoke('values')) as V[];
  }

  /** The `[key, value]` pairs, in insertion order. */
  async items(): Promise<[string, V][]> {
    return (await this.invoke('items')) as [string, V][];
  }

  /**
   * Sets every key of `entries`: a plain object, a Map or an iterable of `[key, value]` pairs.
   * @throws (as a rejection) TypeError for anything else; SerializationError as `set`.
   */
  async update(entries: Record<string, V> | Iterable<readonly [DictKey, V]>): Promise<void> {
    const sent = Symbol.iterator in entries && !(entries instanceof Map) ? [...entries] : entries;
    await this.invoke('update', [sent], { write: true });
  }

  /**
   * Removes `key` and returns its value; when it is missing, returns `fallback` if one was given.
   * @throws (as a rejection) RangeError when `key` is missing and no fallback was given (Python's
   *   KeyError).
   */
  async pop(key: DictKey, ...fallback: [] | [V]): Promise<V> {
    return (await this.invoke('pop', [key, ...fallback])) as V;
  }

  /** Removes every key. */
  async clear(): Promise<void> {
    await this.invoke('clear', [], { write: true });
  }

  /** The number of keys, Python's `len(d)`. */
  async length(): Promise<number> {
    return (await this.invoke('length')) as number;
  }

  /** The entries, as a plain object (Python's `dict(d)`). */
  async copy(): Promise<Record<string, V>> {
    return (await this.invoke('copy')) as Record<string, V>;
  }
}
