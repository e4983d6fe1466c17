/**
 * Registers how shared objects (Value, Array, Lock, RLock, Semaphore, Event, Condition, Barrier)
 * cross to workers. Called by their constructors, before a payload is sent, by the parent side of a
 * worker's channel, and by a worker's `loadKinds()` before it rebuilds one, so a process that
 * receives such an object knows it even when it never made one.
 */
import { activateReducers, registerReducer } from '../serialize/reducers.js';
import { barrierReducer } from '../sync/barrier.js';
import { conditionReducer } from '../sync/condition.js';
import { eventReducer } from '../sync/event.js';
import { lockReducer } from '../sync/lock.js';
import { rlockReducer } from '../sync/rlock.js';
import { semaphoreReducer } from '../sync/semaphore.js';
import { arrayReducer } from './shared-array.js';
import { valueReducer } from './value.js';

let registered = false;

export function registerSharedReducers(): void {
  if (registered) return;
  registered = true;
  registerReducer(lockReducer);
  registerReducer(rlockReducer);
  registerReducer(valueReducer);
  registerReducer(arrayReducer);
  registerReducer(semaphoreReducer);
  registerReducer(eventReducer);
  registerReducer(conditionReducer);
  registerReducer(barrierReducer);
}

/** Called by every shared object's constructor: from now on, payloads are searched for shared objects. */
export function sharedObjectCreated(): void {
  registerSharedReducers();
  activateReducers();
}
