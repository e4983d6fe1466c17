/**
 * The arguments of `ProcessPoolExecutor.map(fn, ...iterables, options?)`: the options object is the
 * last argument when it is a plain object that is not iterable (Python passes them by keyword).
 */

import { MprocRangeError, MprocTypeError, shown } from '../errors.js';
import { isAsyncIterable, isIterable } from '../pool/chunking.js';
import { checkProgressListener, type ProgressListener } from '../pool/progress.js';
import { checkTimeout } from '../timeout-option.js';
import type { Input } from './zip.js';

/** Options of `ProcessPoolExecutor.map`. */
export interface ExecutorMapOptions {
  /** Milliseconds from the map call within which each next result must be ready. */
  readonly timeout?: number;
  /**
   * Aborting it ends the iteration with AbortError: chunks still queued are cancelled, running ones
   * stopped by replacing their worker (so each chunk runs alone on its worker, as with Pool.map).
   */
  readonly signal?: AbortSignal;
  /** Argument tuples sent to a worker per message; default 1. */
  readonly chunksize?: number;
  /**
   * Called with `{ done, total }` as results arrive, as Pool.map's option of that name: calls done
   * so far, and the number of calls once the inputs have been read to their end.
   */
  readonly onProgress?: ProgressListener;
}

export interface MapArguments {
  readonly inputs: readonly Input[];
  readonly timeout: number | undefined;
  readonly chunksize: number;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ProgressListener | undefined;
}

const KEYS = new Set(['timeout', 'chunksize', 'signal', 'onProgress']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isOptions(value: unknown): value is ExecutorMapOptions {
  return isPlainObject(value) && !isIterable(value) && !isAsyncIterable(value);
}

/**
 * Splits `args` into the inputs and the options, and checks both.
 * @throws TypeError for no input, an input that is not iterable or an unknown option; RangeError for
 *   a `timeout` or `chunksize` out of range (TypeError when `chunksize` is not an integer).
 */
export function parseMapArguments(args: readonly unknown[], what: string): MapArguments {
  const last = args[args.length - 1];
  const options: ExecutorMapOptions = args.length > 0 && isOptions(last) ? last : {};
  const inputs = options === last ? args.slice(0, -1) : args;
  if (inputs.length === 0) throw new MprocTypeError(`${what}: give at least one iterable`);
  inputs.forEach((input, index) => {
    if (!isIterable(input) && !isAsyncIterable(input)) {
      throw new MprocTypeError(`${what}: iterables[${index}] is not an iterable or an async iterable`);
    }
  });
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) throw new MprocTypeError(`${what}: unknown option '${key}'`);
  }
  const { chunksize = 1, signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new MprocTypeError(`${what}: option 'signal' must be an AbortSignal`);
  }
  const timeout = checkTimeout(options.timeout, what);
  if (typeof chunksize !== 'number' || !Number.isInteger(chunksize)) {
    throw new MprocTypeError(`${what}: option 'chunksize' must be an integer, got ${shown(chunksize)}`);
  }
  if (chunksize < 1)
    throw new MprocRangeError(`${what}: option 'chunksize' must be at least 1, got ${chunksize}`);
  const onProgress = checkProgressListener(options.onProgress, what);
  return { inputs: inputs as Input[], timeout, chunksize, signal, onProgress };
}
