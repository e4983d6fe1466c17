/**
 * What every payload goes through before it is sent: `transfer()` markers are unwrapped into a
 * transfer list, and reducible objects (Values, locks, queues...) become descriptors.
 */
import type { TransferListItem } from '../transfer-list-item.js';
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

/** Lists shorter than this cross as they are: packing would not pay for itself. */
const PACK_FROM = 64;

/**
 * For map chunks and their results: a long list of numbers that are not all int32 crosses as one
 * Float64Array. V8's serializer writes such a list as one copy, where a plain array costs a boxed
 * number per element to rebuild (about 2 ms per 25,000 on the receiving side). Int32 lists are
 * already cheap, so they go as they are.
 */
export function outgoingItems(values: readonly unknown[]): Outgoing<Items> {
  return shouldPack(values)
    ? { value: new Float64Array(values as number[]), transfer: [], revive: false }
    : outgoingList(values);
}

/** A list as sent by `outgoingList` or `outgoingItems`, rebuilt. */
export function incomingItems(value: Items, revive: boolean | undefined): readonly unknown[] {
  if (!(value instanceof Float64Array)) return incoming(value, revive);
  const list = new Array<number>(value.length);
  for (let index = 0; index < value.length; index++) list[index] = value[index] as number;
  return list;
}

/** A list as it crosses: as it is, or packed (see `outgoingItems`). */
export type Items = readonly unknown[] | Float64Array;

function shouldPack(values: readonly unknown[]): boolean {
  if (values.length < PACK_FROM) return false;
  let int32 = true;
  for (const value of values) {
    if (typeof value !== 'number') return false;
    if (int32 && (value | 0) !== value) int32 = false;
  }
  return !int32;
}

/**
 * `value` with its reduced objects rebuilt. Their kinds are registered by the entry that loaded core
 * (`kinds.ts`).
 */
export function incoming<T>(value: T, revive: boolean | undefined): T {
  if (!revive) return value;
  return reviveValue(value) as T;
}
