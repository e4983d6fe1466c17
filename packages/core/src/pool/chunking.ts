/** How map-like calls split their input into jobs. */

/** Python's default: about four chunks per worker, so workers stay busy without per-item cost. */
export function defaultChunksize(length: number, processes: number): number {
  if (length === 0) return 1;
  return Math.ceil(length / (processes * 4));
}

export function* chunks<T>(items: readonly T[], size: number): Generator<{ offset: number; items: T[] }> {
  for (let offset = 0; offset < items.length; offset += size) {
    yield { offset, items: items.slice(offset, offset + size) };
  }
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}

export function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof (value as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] === 'function';
}

/** Reads a sync or async iterable to an array, as Python's map() does with list(). */
export async function collect<T>(iterable: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  if (!isAsyncIterable(iterable)) return Array.from(iterable as Iterable<T>);
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** A pull-based reader over a sync or async iterable, for lazy imap. */
export function reader<T>(iterable: Iterable<T> | AsyncIterable<T>): Iterator<T> | AsyncIterator<T> {
  return isAsyncIterable(iterable)
    ? (iterable as AsyncIterable<T>)[Symbol.asyncIterator]()
    : (iterable as Iterable<T>)[Symbol.iterator]();
}
