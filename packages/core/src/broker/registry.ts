/**
 * The broker's objects: every Queue, Pipe and Manager object lives here, in the main process, under
 * its id. Workers reach them through their channel to the main process (see `caller.ts`); the main
 * process calls them directly.
 */
import { InvalidStateError } from '../errors.js';
import type { Call } from './call.js';

/** What every object in the broker implements. */
export interface BrokerObject {
  /**
   * Runs `method`; returns its result, or a Promise of it when the call waits.
   * @throws whatever the method rejects with (Empty, Full, RangeError...), synchronously.
   */
  invoke(method: string, args: readonly unknown[], call: Call): unknown;
  /**
   * True for methods that only change state and hand nothing out (put, send, append...): a late
   * message of a worker that has died still runs them; every other call of a dead worker is dropped.
   */
  isWrite(method: string): boolean;
  /** Rejects every waiting call with `error`: the object is gone (its Manager was shut down). */
  dispose?(error: Error): void;
  /** True once nothing can happen on the object any more (a pipe closed at both ends): it is freed. */
  readonly finished?: boolean;
}

const objects = new Map<string, BrokerObject>();
/** Ids of objects that are gone, with the reason, so a late call gets a clear error. */
const retired = new Map<string, string>();

export function addObject(id: string, object: BrokerObject): void {
  objects.set(id, object);
}

/**
 * The object `id`.
 * @throws InvalidStateError when it is gone (with the reason) or was never created.
 */
export function lookup(id: string): BrokerObject {
  const object = objects.get(id);
  if (object) return object;
  const reason = retired.get(id);
  throw new InvalidStateError(reason ?? `no object with id '${id}' exists in the main process`);
}

/** Removes `id`: later calls fail with `reason`. */
export function retire(id: string, reason: string): void {
  objects.delete(id);
  retired.set(id, reason);
}
