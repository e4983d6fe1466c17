/**
 * One unit of work sent to one worker in one message: a single call, or a chunk of a map. A job
 * settles exactly once, whether by its worker's answer, its abort, its timeout or the pool's end.
 */
import type { TransferListItem } from 'node:worker_threads';
import type { RunMode } from '../protocol/messages.js';
import type { Outcome } from '../results/async-result.js';
import type { FunctionHandle } from '../serialize/function-handle.js';
import { findUnclonable } from '../serialize/unclonable-path.js';

export type JobState = 'queued' | 'running' | 'done';

export interface JobSpec {
  readonly fn: FunctionHandle;
  readonly mode: RunMode;
  readonly payload: readonly unknown[];
  readonly transfer: readonly TransferListItem[];
  /** Milliseconds the job may run once a worker has it; undefined: no limit. */
  readonly timeout: number | undefined;
  /** Index of the first item of a map chunk in the whole input, for error messages. */
  readonly offset: number;
  readonly onSettled: (outcome: Outcome<unknown>) => void;
}

let nextJobId = 1;

export class Job {
  readonly id = nextJobId++;
  state: JobState = 'queued';
  readonly #spec: JobSpec;

  constructor(spec: JobSpec) {
    this.#spec = spec;
  }

  get fn(): FunctionHandle {
    return this.#spec.fn;
  }
  get mode(): RunMode {
    return this.#spec.mode;
  }
  get payload(): readonly unknown[] {
    return this.#spec.payload;
  }
  get transfer(): readonly TransferListItem[] {
    return this.#spec.transfer;
  }
  get timeout(): number | undefined {
    return this.#spec.timeout;
  }

  /** Settles the job once; later calls are ignored. */
  settle(outcome: Outcome<unknown>): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.#spec.onSettled(outcome);
  }

  /** Where the payload fails to clone, as `args[0].cb is a function`; null when it clones. */
  unclonablePath(): string | null {
    const { mode, payload, offset } = this.#spec;
    if (mode === 'call') return findUnclonable(payload, 'args');
    for (let index = 0; index < payload.length; index++) {
      const found = findUnclonable(payload[index], `iterable[${offset + index}]`);
      if (found) return found;
    }
    return null;
  }
}
