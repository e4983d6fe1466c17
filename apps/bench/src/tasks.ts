/**
 * The benchmark's task functions, defined once for every Node system. Each is self-contained (no
 * closure, no imports) because mproc sends plain functions by their source text; the peers import
 * them in their worker modules (./workers/*). Keep them free of TypeScript-only runtime helpers.
 */

/** `tiny`: the smallest useful task, so the cost measured is the pool's, not the work's. */
export function inc(x: number): number {
  return x + 1;
}

/** `map` and `stream`. */
export function square(x: number): number {
  return x * x;
}

/** `map` for libraries without a map: one task squares one chunk. */
export function squareChunk(items: number[]): number[] {
  const out = new Array<number>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = items[i] * items[i];
  return out;
}

/** `cpu`: naive recursion, pure CPU and no allocation; recursion by its own name keeps it self-contained. */
export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/** `payload`: returns its argument, so the value crosses the channel twice. */
export function echo<T>(value: T): T {
  return value;
}

export const TASKS = { inc, square, squareChunk, fib, echo } as const;
