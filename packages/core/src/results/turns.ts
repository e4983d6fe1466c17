/**
 * Runs steps one after another in call order, whether or not the caller awaited the previous one:
 * an async iterator's `next()` and `return()` called concurrently then see one consistent sequence.
 * A step that fails does not stop the ones after it.
 */
export class Turns {
  #last: Promise<unknown> = Promise.resolve();

  take<T>(step: () => T | PromiseLike<T>): Promise<T> {
    const result = this.#last.then(step);
    this.#last = result.catch(() => undefined);
    return result;
  }
}
