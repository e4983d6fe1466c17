/**
 * What every payload goes through before it is sent: `transfer()` markers are unwrapped into a
 * transfer list, and reducible objects (Values, locks, queues...) become descriptors.
 */
import type { TransferListItem } from 'node:worker_threads';
import { registerSharedReducers } from '../shared/register.js';
import { reduceValue, reviveValue } from './reducers.js';
import { takeTransfer, takeTransfers } from './transfer.js';

export interface Outgoing<T> {
  readonly value: T;
  readonly transfer: readonly TransferListItem[];
  /** True when the receiver must rebuild reduced objects (`reviveValue`). */
  readonly revive: boolean;
}

/** For argument lists and map chunks: markers may stand at the top level of the list. */
export function outgoingList(values: readonly unknown[]): Outgoing<readonly unknown[]> {
  const { values: unwrapped, list } = takeTransfers(values);
  const { value, changed } = reduceValue(unwrapped);
  return { value: value as readonly unknown[], transfer: list, revive: changed };
}

/** For a single value, such as a task's result. */
export function outgoingValue(raw: unknown): Outgoing<unknown> {
  const { value: unwrapped, list } = takeTransfer(raw);
  const { value, changed } = reduceValue(unwrapped);
  return { value, transfer: list, revive: changed };
}

export function incoming<T>(value: T, revive: boolean | undefined): T {
  if (!revive) return value;
  // A worker may receive shared objects (Values, locks...) before it has made any itself.
  registerSharedReducers();
  return reviveValue(value) as T;
}
