/**
 * One unit of work sent to one worker in one message: a single call, or a chunk of a map. A job
 * settles exactly once, whether by its worker's answer, its abort, its timeout or the pool's end.
 */

import type { RunMode } from '../protocol/messages.js';
import type { Outcome } from '../results/async-result.js';
import type { FunctionHandle } from '../serialize/function-handle.js';
import { type Items, outgoingItems, outgoingList } from '../serialize/payload.js';
import { findUnclonable } from '../serialize/unclonable-path.js';
import type { TransferListItem } from '../transfer-list-item.js';

export type JobState = 'queued' | 'running' | 'done';

export interface JobSpec {
  readonly fn: FunctionHandle;
  readonly mode: RunMode;
  /** The arguments (`call`) or the chunk's items, as the user gave them. */
  readonly items: readonly unknown[];
  /** Milliseconds the job may run once a worker has it; undefined: no limit. */
  readonly timeout: number | undefined;
  /** The call has an AbortSignal: the job may be stopped by replacing its worker. */
  readonly stoppable?: boolean;
  /** Index of the first item of a map chunk in the whole input, for error messages. */
  readonly offset: number;
  readonly onSettled: (outcome: Outcome<unknown>) => void;
}

let nextJobId = 1;

export class Job {
  readonly id = nextJobId++;
  state: JobState = 'queued';
  readonly fn: FunctionHandle;
  readonly mode: RunMode;
  /** The items as sent: transfer markers unwrapped, reducible objects as descriptors. */
  readonly payload: Items;
  readonly transfer: readonly TransferListItem[];
  /** True when the payload holds reduced objects to rebuild. */
  readonly revive: boolean;
  readonly timeout: number | undefined;
  /**
   * The job needs a worker to itself: its timeout must count from when it starts, and stopping it
   * (abort, timeout) replaces its worker, which must not take other jobs down with it.
   */
  readonly exclusive: boolean;
  /** When the scheduler took the job (performance.now()), for the wait time in stats(). */
  queuedAt = 0;
  // The spec's fields are copied, not the spec kept: a pool may hold tens of thousands of jobs.
  readonly #items: readonly unknown[];
  readonly #offset: number;
  readonly #onSettled: (outcome: Outcome<unknown>) => void;

  constructor(spec: JobSpec) {
    const outgoing = spec.mode === 'map' ? outgoingItems(spec.items) : outgoingList(spec.items);
    this.fn = spec.fn;
    this.mode = spec.mode;
    this.payload = outgoing.value;
    this.transfer = outgoing.transfer;
    this.revive = outgoing.revive;
    this.timeout = spec.timeout;
    this.exclusive = spec.timeout !== undefined || spec.stoppable === true;
    this.#items = spec.items;
    this.#offset = spec.offset;
    this.#onSettled = spec.onSettled;
  }

  /** Settles the job once; later calls are ignored. */
  settle(outcome: Outcome<unknown>): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.#onSettled(outcome);
  }

  /** Where the payload fails to clone, as `args[0].cb is a function`; null when it clones. */
  unclonablePath(): string | null {
    const items = this.#items;
    if (this.mode === 'call') return findUnclonable(items, 'args');
    for (let index = 0; index < items.length; index++) {
      const found = findUnclonable(items[index], `iterable[${this.#offset + index}]`);
      if (found) return found;
    }
    return null;
  }
}
