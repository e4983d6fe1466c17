/**
 * The `onProgress` option of map-like calls: how many items are done, and how many there are once
 * the input has been read to its end. Reports are coalesced to one per microtask turn, so a burst of
 * small chunks costs one call, and run outside the scheduler's work, as the pool's events do.
 */
import { MprocTypeError } from '../errors.js';

/** What `onProgress` receives. */
export interface MapProgress {
  /** Items whose results have arrived (a chunk's items arrive together). */
  readonly done: number;
  /** The number of items, once the input has been read to its end; undefined until then. */
  readonly total: number | undefined;
}

/** The `onProgress` option of map-like calls: called with the items done so far and their total. */
export type ProgressListener = (progress: MapProgress) => void;

/** @throws TypeError naming `onProgress` when it is given and not a function. */
export function checkProgressListener(listener: unknown, what: string): ProgressListener | undefined {
  if (listener === undefined || typeof listener === 'function') return listener as ProgressListener;
  throw new MprocTypeError(`${what}: option 'onProgress' must be a function`);
}

/** Counts one call's items and reports them; a call without `onProgress` makes none. */
export class Progress {
  readonly #listener: ProgressListener;
  #read = 0;
  #done = 0;
  #total: number | undefined;
  #due = false;

  private constructor(listener: ProgressListener) {
    this.#listener = listener;
  }

  static for(listener: ProgressListener | undefined): Progress | undefined {
    return listener && new Progress(listener);
  }

  /** `count` more items were read from the input. */
  read(count: number): void {
    this.#read += count;
  }

  /** The input has no more items: the total is known (and reported). */
  inputEnded(): void {
    this.#total = this.#read;
    this.#report();
  }

  /** The results of `count` items arrived. */
  finished(count: number): void {
    this.#done += count;
    this.#report();
  }

  /**
   * Reports the latest counts in a microtask: before the reactions of a result settled in the same
   * turn, so the last report of a map comes before its promise resolves. A listener that throws is
   * reported as an uncaught exception and the call goes on, as a throwing event listener.
   */
  #report(): void {
    if (this.#due) return;
    this.#due = true;
    queueMicrotask(() => {
      this.#due = false;
      try {
        this.#listener({ done: this.#done, total: this.#total });
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    });
  }
}
