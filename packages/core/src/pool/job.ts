/**
 * One unit of work sent to one worker in one message: a single call, or a chunk of a map. A job
 * settles exactly once, whether by its worker's answer, its abort, its timeout or the pool's end.
 */
import type { TransferListItem } from 'node:worker_threads';
import type { RunMode } from '../protocol/messages.js';
import type { Outcome } from '../results/async-result.js';
import type { FunctionHandle } from '../serialize/function-handle.js';
import { type Items, type Outgoing, outgoingItems, outgoingList } from '../serialize/payload.js';
import { findUnclonable } from '../serialize/unclonable-path.js';

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
  readonly #spec: JobSpec;
  readonly #outgoing: Outgoing<Items>;

  constructor(spec: JobSpec) {
    this.#spec = spec;
    this.#outgoing = spec.mode === 'map' ? outgoingItems(spec.items) : outgoingList(spec.items);
  }

  get fn(): FunctionHandle {
    return this.#spec.fn;
  }
  get mode(): RunMode {
    return this.#spec.mode;
  }
  /** The items as sent: transfer markers unwrapped, reducible objects as descriptors. */
  get payload(): Items {
    return this.#outgoing.value;
  }
  get transfer(): readonly TransferListItem[] {
    return this.#outgoing.transfer;
  }
  get revive(): boolean {
    return this.#outgoing.revive;
  }
  get timeout(): number | undefined {
    return this.#spec.timeout;
  }

  /**
   * The job needs a worker to itself: its timeout must count from when it starts, and stopping it
   * (abort, timeout) replaces its worker, which must not take other jobs down with it.
   */
  get exclusive(): boolean {
    return this.#spec.timeout !== undefined || this.#spec.stoppable === true;
  }

  /** Settles the job once; later calls are ignored. */
  settle(outcome: Outcome<unknown>): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.#spec.onSettled(outcome);
  }

  /** Where the payload fails to clone, as `args[0].cb is a function`; null when it clones. */
  unclonablePath(): string | null {
    const { mode, items: payload, offset } = this.#spec;
    if (mode === 'call') return findUnclonable(payload, 'args');
    for (let index = 0; index < payload.length; index++) {
      const found = findUnclonable(payload[index], `iterable[${offset + index}]`);
      if (found) return found;
    }
    return null;
  }
}
