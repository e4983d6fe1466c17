/**
 * What a value goes through when the main process hands it to a broker object directly (no channel
 * in between): the same copy a worker's value gets on the wire, so an object put into a queue and
 * changed afterwards is not changed in the queue, and a value that cannot be sent fails here too.
 */
import { SerializationError } from '../errors.js';
import { reduceValue, reviveValue } from '../serialize/reducers.js';
import { takeTransfer } from '../serialize/transfer.js';
import { findUnclonable } from '../serialize/unclonable-path.js';

/**
 * A structured clone of `value`, with queues, pipe ends and proxies inside it rebuilt as handles.
 * @throws SerializationError naming the path of the value that cannot be cloned (`what` starts it).
 */
export function copyValue<T>(value: T, what: string): T {
  const unwrapped = takeTransfer(value).value;
  if (typeof unwrapped !== 'object' || unwrapped === null) {
    if (typeof unwrapped !== 'function' && typeof unwrapped !== 'symbol') return unwrapped as T;
  }
  const reduced = reduceValue(unwrapped);
  let cloned: unknown;
  try {
    cloned = structuredClone(reduced.value);
  } catch (error) {
    const path = findUnclonable(reduced.value, what) ?? (error as Error).message;
    throw new SerializationError(`cannot send ${what}: ${path}`, { cause: error });
  }
  return (reduced.changed ? reviveValue(cloned) : cloned) as T;
}
