/**
 * One call on a broker object, as the object sees it: who made it (this process, or a worker over a
 * channel), the handle it came from, and whether that caller is gone. A waiting call registers how to
 * withdraw itself, so a worker that dies is never handed an item.
 */
import { copyValue } from './copy.js';

export class Call {
  /** True when the main process called directly: values must be copied in and out. */
  readonly local: boolean;
  /** The handle that made the call, for the calls its `close()` cancels. */
  readonly token: string | undefined;
  #abandoned: boolean;
  #onAbandon: (() => void) | undefined;
  readonly #isAlive: (() => boolean) | undefined;

  /**
   * @param isAlive asks whether the caller still lives, where nothing reports its death (a Manager's
   *   server hears of no exit): asked before a waiting call is handed anything.
   */
  constructor(local: boolean, token: string | undefined, abandoned = false, isAlive?: () => boolean) {
    this.local = local;
    this.token = token;
    this.#abandoned = abandoned;
    this.#isAlive = isAlive;
  }

  /** The caller is gone (its worker died, or it withdrew the call): it must not wait or be given anything. */
  get abandoned(): boolean {
    return this.#abandoned;
  }

  /**
   * `abandoned`, after asking the caller's `isAlive` probe (it may read /proc): for the moment a
   * waiting call is about to be handed something, not for every call that starts to wait.
   */
  probeAbandoned(): boolean {
    if (!this.#abandoned && this.#isAlive && !this.#isAlive()) this.abandon();
    return this.#abandoned;
  }

  /** Sets what withdraws this call while it waits; undefined once it no longer waits. */
  onAbandon(withdraw: (() => void) | undefined): void {
    this.#onAbandon = withdraw;
  }

  abandon(): void {
    if (this.#abandoned) return;
    this.#abandoned = true;
    const withdraw = this.#onAbandon;
    this.#onAbandon = undefined;
    withdraw?.();
  }

  /**
   * A value the object keeps: copied when it comes straight from this process (a worker's value was
   * copied on the wire already).
   * @throws SerializationError when the value cannot be sent.
   */
  adopt<T>(value: T, what = 'the value'): T {
    return this.local ? copyValue(value, what) : value;
  }

  /** A value the object keeps and also hands out: the caller gets a copy of its own. */
  share<T>(value: T): T {
    return this.local ? copyValue(value, 'the value') : value;
  }
}
