/**
 * The iterator behind `ProcessPoolExecutor.map`, as Python's: every chunk of argument tuples is
 * submitted as a future from the call on (sync inputs during the call itself, async inputs in the
 * background as they produce), and the results are yielded in input order as each chunk is done.
 * `timeout` counts from the map call. An error, a timeout or leaving the loop early ends the
 * iteration and cancels the chunks no worker has taken yet.
 */

import { TimeoutError } from '../errors.js';
import type { Progress } from '../pool/progress.js';
import { abortErrorFor, onAbort } from '../pool/submit-options.js';
import { Turns } from '../results/turns.js';
import type { Future } from './future.js';
import { ABORT, ON_DONE } from './future.js';
import type { MapArguments } from './map-arguments.js';
import { deadlineAfter, remainingUntil, until } from './timeout.js';
import { type Input, zipChunks, zipChunksAsync } from './zip.js';

export interface MapSettings extends MapArguments {
  /** Submits one chunk of argument tuples; the future holds the chunk's results. */
  readonly submit: (chunk: unknown[][]) => Future<unknown[]>;
  /** Marks a call that submits later, so shutdown waits for it; returns the function that ends it. */
  readonly openCall: () => () => void;
  readonly what: string;
  /** Told when the inputs have been read to their end. */
  readonly progress: Progress | undefined;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

export class ExecutorMapIterator<R> implements AsyncIterableIterator<R> {
  readonly #settings: MapSettings;
  readonly #deadline: number | undefined;
  /** The chunks' futures in input order; those already handed out are cleared. */
  readonly #futures: (Future<unknown[]> | undefined)[] = [];
  #position = 0;
  #buffer: readonly unknown[] = [];
  #bufferIndex = 0;
  #readingDone = false;
  #readFailed: { error: unknown } | undefined;
  #wake: (() => void) | undefined;
  #finished = false;
  /** Serializes next()/return() so concurrent callers see one consistent sequence. */
  readonly #turns = new Turns();
  /** Detaches the listener of the `signal` option. */
  readonly #detach: () => void;

  /** @throws what reading a sync input throws (the chunks already submitted are cancelled). */
  constructor(settings: MapSettings) {
    this.#settings = settings;
    this.#deadline = deadlineAfter(settings.timeout);
    const { inputs, chunksize, signal } = settings;
    this.#detach = onAbort(signal, () => this.#abort(signal as AbortSignal));
    if (inputs.every((input): input is Iterable<unknown> => Symbol.iterator in Object(input))) {
      try {
        let complete = true;
        for (const chunk of zipChunks(inputs, chunksize)) {
          if (!this.#add(settings.submit(chunk))) {
            complete = false;
            break;
          }
        }
        if (complete) settings.progress?.inputEnded();
      } catch (error) {
        this.#finish();
        throw error;
      }
      this.#readingDone = true;
    } else {
      this.#readInBackground(inputs);
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<R>> {
    return this.#turns.take(() => this.#next());
  }

  /** Ends the iteration; chunks no worker has taken yet are cancelled, running ones finish. */
  return(): Promise<IteratorResult<R>> {
    return this.#turns.take(() => {
      this.#finish();
      return DONE;
    });
  }

  async #next(): Promise<IteratorResult<R>> {
    if (this.#finished) return DONE;
    const { signal } = this.#settings;
    try {
      for (;;) {
        if (signal?.aborted) throw abortErrorFor(signal);
        if (this.#bufferIndex < this.#buffer.length) {
          return { done: false, value: this.#buffer[this.#bufferIndex++] as R };
        }
        const future = this.#futures[this.#position];
        if (future) {
          if (!(await until(future[ON_DONE].bind(future), remainingUntil(this.#deadline)))) {
            throw this.#timeoutError();
          }
          this.#futures[this.#position++] = undefined;
          this.#buffer = await future.result();
          this.#bufferIndex = 0;
          continue;
        }
        if (this.#readFailed) throw this.#readFailed.error;
        if (this.#readingDone) {
          this.#finish();
          return DONE;
        }
        const more = (listener: () => void) => {
          this.#wake = listener;
          return () => {
            this.#wake = undefined;
          };
        };
        if (!(await until(more, remainingUntil(this.#deadline)))) throw this.#timeoutError();
      }
    } catch (error) {
      this.#finish();
      // Once aborted, whatever ended the wait (a chunk cancelled or stopped by the abort), it is the abort.
      throw signal?.aborted ? abortErrorFor(signal) : error;
    }
  }

  /** The signal aborted: chunks not handed out yet are cancelled or stopped; a waiting next() wakes. */
  #abort(signal: AbortSignal): void {
    for (let index = this.#position; index < this.#futures.length; index++) {
      this.#futures[index]?.[ABORT](signal);
    }
    this.#wake?.();
  }

  #timeoutError(): TimeoutError {
    return new TimeoutError(
      `${this.#settings.what}: the next result was not ready within ${this.#settings.timeout} ms of the map call`,
    );
  }

  /** Keeps a chunk's future; false when it was refused (broken or cancelled executor): stop reading. */
  #add(future: Future<unknown[]>): boolean {
    this.#futures.push(future);
    this.#wake?.();
    // Done at once means refused (broken executor, cancelFutures) or unsendable: reading on is useless,
    // the iteration ends at this chunk.
    return !future.done();
  }

  #readInBackground(inputs: readonly Input[]): void {
    const closeCall = this.#settings.openCall();
    (async () => {
      for await (const chunk of zipChunksAsync(inputs, this.#settings.chunksize)) {
        if (this.#finished || this.#settings.signal?.aborted || !this.#add(this.#settings.submit(chunk)))
          return;
      }
      this.#settings.progress?.inputEnded();
    })()
      .catch((error: unknown) => {
        this.#readFailed = { error };
      })
      .finally(() => {
        this.#readingDone = true;
        closeCall();
        this.#wake?.();
      });
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#detach();
    for (let index = this.#position; index < this.#futures.length; index++) this.#futures[index]?.cancel();
    this.#futures.length = 0;
    this.#buffer = [];
  }
}
