/**
 * Runs steps one after another in call order, whether or not the caller awaited the previous one:
 * an async iterator's `next()` and `return()` called concurrently then see one consistent sequence.
 * A step that fails does not stop the ones after it.
 */
export class Turns {
  #last: Promise<unknown> = Promise.resolve();
  /** Steps taken and not finished. */
  #open = 0;

  /** True when no step is waiting or running: a caller may answer at once, without a turn. */
  get idle(): boolean {
    return this.#open === 0;
  }

  take<T>(step: () => T | PromiseLike<T>): Promise<T> {
    this.#open++;
    const result = this.#last.then(step);
    const close = () => {
      this.#open--;
    };
    this.#last = result.then(close, close);
    return result;
  }
}
