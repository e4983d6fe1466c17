/**
 * The one check of every `timeout` mproc takes (milliseconds everywhere; Python's are seconds).
 * `undefined`, `null` and `Infinity` mean no limit, as Python's `None`; so does a timeout past
 * what a timer can hold (2^31 - 1 ms, about 24.8 days), which Node would otherwise fire at once.
 */
import { MprocRangeError, MprocTypeError, shown } from './errors.js';

/** The longest delay `setTimeout` keeps. */
const LONGEST_TIMER = 2 ** 31 - 1;

/**
 * The timeout in milliseconds, or undefined for no limit.
 * @throws MprocTypeError (a TypeError) when it is not a number, e.g. `'1'`.
 * @throws MprocRangeError (a RangeError) when it is NaN or negative.
 */
export function checkTimeout(timeout: unknown, what: string): number | undefined {
  if (timeout === undefined || timeout === null) return undefined;
  if (typeof timeout !== 'number') {
    throw new MprocTypeError(`${what}: timeout must be a number of milliseconds, got ${shown(timeout)}`);
  }
  if (Number.isNaN(timeout) || timeout < 0) {
    throw new MprocRangeError(`${what}: timeout must be a number of milliseconds ≥ 0, got ${timeout}`);
  }
  return timeout > LONGEST_TIMER ? undefined : timeout;
}
