/**
 * The small proxies of a Manager: Namespace, Value, Lock and Event, each a handle on an object in the
 * main process (Python's `NamespaceProxy`, `ValueProxy`, `AcquirerProxy` and `EventProxy`). Every
 * method returns a Promise.
 */
import { BrokerHandle, registerHandleKind } from '../broker/handle.js';
import { type BlockOptions, waitLimit } from '../broker/wait-options.js';
import { TimeoutError } from '../errors.js';
import { checkTimeout } from '../timeout-option.js';

/**
 * A Manager's Namespace: named values, Python's `ns.x` / `ns.x = v` as `get('x')` / `set('x', v)`.
 * @throws InvalidStateError (as rejections) from every method after the Manager's `shutdown()`.
 */
export class NamespaceProxy extends BrokerHandle {
  static {
    registerHandleKind('namespace', (descriptor) => new NamespaceProxy(descriptor.id));
  }

  /** @internal Use `manager.Namespace()`. */
  constructor(id: string) {
    super(id, 'namespace');
  }

  /** The value of attribute `name`, or undefined when it was never set. */
  async get<T = unknown>(name: string): Promise<T> {
    return (await this.invoke('get', [name])) as T;
  }

  /** Sets attribute `name`. @throws (as a rejection) SerializationError for a value that cannot be sent. */
  async set(name: string, value: unknown): Promise<void> {
    await this.invoke('set', [name, value], { write: true });
  }
}

/**
 * A Manager's Value: one value, Python's `v.value` as `get()` / `set(v)`.
 * @throws InvalidStateError (as rejections) from every method after the Manager's `shutdown()`.
 */
export class ValueProxy<T = unknown> extends BrokerHandle {
  static {
    registerHandleKind('value', (descriptor) => new ValueProxy(descriptor.id));
  }

  /** @internal Use `manager.Value()`. */
  constructor(id: string) {
    super(id, 'value');
  }

  /** The value. */
  async get(): Promise<T> {
    return (await this.invoke('get')) as T;
  }

  /** Replaces the value. @throws (as a rejection) SerializationError for a value that cannot be sent. */
  async set(value: T): Promise<void> {
    await this.invoke('set', [value], { write: true });
  }
}

/**
 * A Manager's Lock (Python's `AcquirerProxy` on a `threading.Lock`): not owned, so any process may
 * release it.
 * @throws InvalidStateError (as rejections) from every method after the Manager's `shutdown()`.
 */
export class AcquirerProxy extends BrokerHandle {
  static {
    registerHandleKind('lock', (descriptor) => new AcquirerProxy(descriptor.id));
  }

  /** @internal Use `manager.Lock()`. */
  constructor(id: string) {
    super(id, 'lock');
  }

  /**
   * Takes the lock, waiting for it (at most `timeout` ms; with `block: false`, not at all); resolves
   * to whether it was taken.
   * @throws (as a rejection) TypeError/RangeError for invalid options.
   */
  async acquire(options?: BlockOptions): Promise<boolean> {
    const { timeout } = waitLimit(options, 'Lock.acquire()');
    return (await this.invoke('acquire', [timeout])) as boolean;
  }

  /** Releases the lock. @throws (as a rejection) InvalidStateError when it is not locked. */
  async release(): Promise<void> {
    await this.invoke('release', [], { write: true });
  }

  /**
   * Takes the lock and returns what releases it, for `await using held = await lock.hold()`.
   * @throws (as a rejection) TimeoutError when the lock was not taken within the options' limit.
   */
  async hold(options?: BlockOptions): Promise<AsyncDisposable> {
    if (!(await this.acquire(options)))
      throw new TimeoutError('Lock.hold(): the lock was not acquired in time');
    let held = true;
    return {
      [Symbol.asyncDispose]: async () => {
        if (!held) return;
        held = false;
        await this.release();
      },
    };
  }
}

/**
 * A Manager's Event (Python's `EventProxy` on a `threading.Event`).
 * @throws InvalidStateError (as rejections) from every method after the Manager's `shutdown()`.
 */
export class EventProxy extends BrokerHandle {
  static {
    registerHandleKind('event', (descriptor) => new EventProxy(descriptor.id));
  }

  /** @internal Use `manager.Event()`. */
  constructor(id: string) {
    super(id, 'event');
  }

  /** Sets the flag and wakes every waiter. */
  async set(): Promise<void> {
    await this.invoke('set', [], { write: true });
  }

  /** Clears the flag. */
  async clear(): Promise<void> {
    await this.invoke('clear', [], { write: true });
  }

  /** Whether the flag is set. */
  async isSet(): Promise<boolean> {
    return (await this.invoke('isSet')) as boolean;
  }

  /**
   * Resolves to true once the flag is set, or false after `timeout` ms without it.
   * @throws (as a rejection) TypeError/RangeError for an invalid timeout.
   */
  async wait(timeout?: number | null): Promise<boolean> {
    return (await this.invoke('wait', [checkTimeout(timeout, 'Event.wait()')])) as boolean;
  }
}
