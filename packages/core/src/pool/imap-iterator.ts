/**
 * The iterator behind `imap` and `imapUnordered`. It reads the input lazily, a chunk at a time, and
 * keeps at most `scheduler.readAhead()` chunks between "read" and "handed to the caller", so an endless
 * generator streams in constant memory and a slow consumer slows the reading. An error (or the end
 * of the pool) is thrown at the position it belongs to and ends the iteration.
 */

import type { Outcome } from '../results/async-result.js';
import { Turns } from '../results/turns.js';
import type { FunctionHandle } from '../serialize/function-handle.js';
import { reader } from './chunking.js';
import { Job } from './job.js';
import type { Progress } from './progress.js';
import type { Scheduler } from './scheduler.js';
import type { SubmitLimits } from './submit-options.js';
import { abortErrorFor, onAbort } from './submit-options.js';

export interface ImapSettings {
  readonly scheduler: Scheduler;
  readonly fn: FunctionHandle;
  readonly iterable: Iterable<unknown> | AsyncIterable<unknown>;
  readonly chunksize: number;
  readonly ordered: boolean;
  readonly limits: SubmitLimits;
  readonly what: string;
  readonly progress: Progress | undefined;
}

type Source = Iterator<unknown> | AsyncIterator<unknown>;

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}

export class ImapIterator<R> implements AsyncIterableIterator<R> {
  readonly #settings: ImapSettings;
  readonly #source: Source;
  #sourceDone = false;
  /** Chunks submitted and not yet fully handed out. */
  #inFlight = 0;
  #nextChunk = 0;
  #nextToYield = 0;
  /** Settled chunks: by index when ordered, in completion order otherwise. */
  readonly #settled = new Map<number, Outcome<unknown>>();
  readonly #completionOrder: number[] = [];
  #buffer: unknown[] = [];
  #bufferIndex = 0;
  readonly #jobs = new Set<Job>();
  #finished = false;
  #wake: (() => void) | undefined;
  #abortedBy: Error | undefined;
  #reading: Promise<void> | undefined;
  /** What reading the input threw (boxed: an input may throw any value, undefined too). */
  #readFailure: { readonly error: unknown } | undefined;
  /** Serializes next()/return() so concurrent callers see one consistent sequence. */
  readonly #turns = new Turns();
  readonly #detach: () => void;

  constructor(settings: ImapSettings) {
    this.#settings = settings;
    this.#source = reader(settings.iterable);
    this.#detach = onAbort(settings.limits.signal, () => {
      const error = abortErrorFor(settings.limits.signal as AbortSignal);
      this.#abortedBy = error;
      for (const job of this.#jobs) settings.scheduler.cancel(job, error);
      this.#wakeUp();
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<R>> {
    // A result at hand needs no turn when none is taken: the common case of a busy stream.
    const ready = this.#turns.idle ? this.#ready() : undefined;
    return ready ? Promise.resolve(ready) : this.#turns.take(() => this.#next());
  }

  /** Stops reading the input; queued chunks are dropped, running ones finish unobserved. */
  return(): Promise<IteratorResult<R>> {
    return this.#turns.take(async () => {
      await this.#finish();
      return { done: true, value: undefined } as IteratorResult<R>;
    });
  }

  async #next(): Promise<IteratorResult<R>> {
    if (this.#finished) return { done: true, value: undefined };
    try {
      for (;;) {
        const ready = this.#ready();
        if (ready) return ready;
        if (this.#abortedBy) throw this.#abortedBy;
        this.#startReading();
        const outcome = this.#takeSettled();
        if (outcome) {
          this.#inFlight--;
          if (!outcome.ok) throw outcome.error;
          this.#buffer = outcome.value as unknown[];
          this.#bufferIndex = 0;
          continue;
        }
        if (this.#inFlight === 0 && !this.#reading) {
          // An error of the input (or of a pool that takes no more work) comes after every result
          // of the chunks read before it, as in Python's imap.
          if (this.#readFailure) throw this.#readFailure.error;
          if (this.#sourceDone) {
            await this.#finish();
            return { done: true, value: undefined };
          }
        }
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } catch (error) {
      await this.#finish();
      throw error;
    }
  }

  /**
   * The next result when it is at hand: the next item of the current chunk, or the first of the next
   * chunk if that one succeeded. Undefined when it must be waited for, or is an error.
   */
  #ready(): IteratorResult<R> | undefined {
    if (this.#finished || this.#abortedBy) return undefined;
    if (this.#bufferIndex >= this.#buffer.length) {
      // The chunk handed out frees its room; the one taken next still counts until it is handed out.
      this.#startReading();
      if (!this.#peekSettled()?.ok) return undefined;
      const outcome = this.#takeSettled() as { value: unknown };
      this.#inFlight--;
      this.#buffer = outcome.value as unknown[];
      this.#bufferIndex = 0;
      if (this.#buffer.length === 0) return undefined;
    }
    return { done: false, value: this.#buffer[this.#bufferIndex++] as R };
  }

  #peekSettled(): Outcome<unknown> | undefined {
    const index = this.#settings.ordered ? this.#nextToYield : this.#completionOrder[0];
    return index === undefined ? undefined : this.#settled.get(index);
  }

  #takeSettled(): Outcome<unknown> | undefined {
    const outcome = this.#peekSettled();
    if (!outcome) return undefined;
    const index = this.#settings.ordered ? this.#nextToYield++ : this.#completionOrder.shift();
    this.#settled.delete(index as number);
    return outcome;
  }

  /** Reads more input in the background when there is room in flight and the pool takes work. */
  #startReading(): void {
    if (this.#reading || this.#sourceDone || this.#finished || this.#readFailure) return;
    if (this.#inFlight >= this.#settings.scheduler.readAhead()) return;
    // After close() nothing more is read; once what was submitted is handed out, the iteration
    // ends with PoolNotRunningError (see #readChunks).
    if (this.#settings.scheduler.state !== 'running' && this.#inFlight > 0) return;
    this.#reading = this.#readChunks()
      .catch((error: unknown) => {
        this.#readFailure = { error };
      })
      .finally(() => {
        this.#reading = undefined;
        this.#wakeUp();
      });
  }

  async #readChunks(): Promise<void> {
    const { scheduler, chunksize, what } = this.#settings;
    while (!this.#sourceDone && !this.#finished && this.#inFlight < scheduler.readAhead()) {
      if (scheduler.state !== 'running') {
        if (this.#inFlight === 0) scheduler.assertAccepting(what);
        return;
      }
      const items: unknown[] = [];
      while (items.length < chunksize) {
        const step = this.#source.next();
        const { done, value } = isThenable(step) ? await step : step;
        if (done) {
          this.#sourceDone = true;
          break;
        }
        items.push(value);
      }
      if (items.length > 0 && !this.#finished) this.#submit(items);
      if (this.#sourceDone) this.#settings.progress?.inputEnded();
    }
  }

  #submit(items: unknown[]): void {
    const index = this.#nextChunk++;
    const job: Job = new Job({
      fn: this.#settings.fn,
      mode: 'map',
      items,
      timeout: this.#settings.limits.timeout,
      stoppable: this.#settings.limits.signal !== undefined,
      offset: index * this.#settings.chunksize,
      onSettled: (outcome) => {
        this.#jobs.delete(job);
        if (this.#finished) return;
        if (outcome.ok) this.#settings.progress?.finished(items.length);
        this.#settled.set(index, outcome);
        if (!this.#settings.ordered) this.#completionOrder.push(index);
        this.#wakeUp();
      },
    });
    this.#jobs.add(job);
    this.#inFlight++;
    this.#settings.progress?.read(items.length);
    // Not bounded by maxQueue: the read-ahead already bounds what an imap holds, and it reads more
    // only as its results are taken (docs/pool-features.md).
    this.#settings.scheduler.submit(job, false);
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #finish(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    this.#detach();
    for (const job of this.#jobs) {
      if (job.state === 'queued') this.#settings.scheduler.cancel(job, new Error('imap iteration ended'));
    }
    this.#settled.clear();
    this.#buffer = [];
    // Not awaited: an async source may be in the middle of a slow read; it is closed after it.
    Promise.resolve(this.#source.return?.()).catch(() => undefined);
  }
}
