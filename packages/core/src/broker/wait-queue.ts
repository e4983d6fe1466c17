/**
 * The calls waiting on one broker object, first come first served: a blocked `get`, `recv`,
 * `acquire`, `join`... Each waiter settles once: when the object serves it, when its timeout ends, or
 * never, when its caller is gone (then it is only removed, so nothing is handed to a dead worker).
 */
import type { Call } from './call.js';

export interface Waiter<T, D> {
  readonly call: Call;
  /** What the waiter brings along (e.g. the item of a blocked `put`). */
  readonly data: D;
  resolve(value: T): void;
  reject(error: unknown): void;
}

interface Entry<T, D> extends Waiter<T, D> {
  timer: NodeJS.Timeout | undefined;
}

/** A promise that never settles: what a caller that is gone waits for. */
const NEVER = new Promise<never>(() => {});

export class WaitQueue<T, D = undefined> {
  // A Set keeps insertion order and removes from the middle in O(1).
  readonly #entries = new Set<Entry<T, D>>();

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Waits until `take()` hands this waiter out and it is resolved, or `timeout` ms pass: then it
   * settles with `onTimeout()` (a value, or an Error to reject with). `timeout` undefined: no limit.
   */
  wait(call: Call, timeout: number | undefined, onTimeout: () => T | Error, data: D): Promise<T> {
    if (call.abandoned) return NEVER;
    if (timeout !== undefined && timeout <= 0) return settleWith(onTimeout());
    return new Promise<T>((resolve, reject) => {
      const entry: Entry<T, D> = {
        call,
        data,
        timer: undefined,
        resolve: (value) => {
          this.#remove(entry);
          resolve(value);
        },
        reject: (error) => {
          this.#remove(entry);
          reject(error);
        },
      };
      if (timeout !== undefined) {
        entry.timer = setTimeout(() => {
          const outcome = onTimeout();
          if (outcome instanceof Error) entry.reject(outcome);
          else entry.resolve(outcome);
        }, timeout);
      }
      this.#entries.add(entry);
      call.onAbandon(() => this.#remove(entry));
    });
  }

  /** The first waiter whose caller still lives, removed from the queue; the caller settles it. */
  take(): Waiter<T, D> | undefined {
    for (const entry of this.#entries) {
      this.#remove(entry);
      if (!entry.call.probeAbandoned()) return entry;
    }
    return undefined;
  }

  /** The first waiter, left in place. */
  peek(): Waiter<T, D> | undefined {
    for (const entry of this.#entries) return entry;
    return undefined;
  }

  /** Settles every waiter `select` picks (default: all) with `error`. */
  rejectWhere(error: () => unknown, select: (waiter: Waiter<T, D>) => boolean = () => true): void {
    for (const entry of [...this.#entries]) if (select(entry)) entry.reject(error());
  }

  /** Resolves every waiter with `value`. */
  resolveAll(value: T): void {
    for (const entry of [...this.#entries]) entry.resolve(value);
  }

  #remove(entry: Entry<T, D>): void {
    if (!this.#entries.delete(entry)) return;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.call.onAbandon(undefined);
  }
}

function settleWith<T>(outcome: T | Error): Promise<T> {
  return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
}
