/**
 * `transfer(value)` marks an argument or a result whose ArrayBuffers should be moved to the other
 * side instead of copied. Backends that cannot move memory (separate processes) copy it; the marker
 * is removed either way, so the receiving function sees the plain value.
 */

import { MprocTypeError } from '../errors.js';
import type { TransferListItem } from '../transfer-list-item.js';

const TRANSFER = Symbol.for('mproc.transfer');

interface TransferMarker {
  readonly [TRANSFER]: true;
  readonly value: unknown;
  readonly list: readonly TransferListItem[];
}

function defaultList(value: unknown): TransferListItem[] {
  if (value instanceof ArrayBuffer) return [value];
  if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) return [value.buffer];
  throw new MprocTypeError(
    'transfer(value): give the list of ArrayBuffers to move when value is not a buffer or a view',
  );
}

/**
 * Marks `value` to be moved rather than copied when it is sent to or from a worker (threads only;
 * other backends copy). `list` defaults to the value's own buffer. The sender must not use the
 * moved buffers afterwards.
 * @throws TypeError when `list` is missing and `value` is not an ArrayBuffer or a view of one.
 */
export function transfer<T>(value: T, list?: readonly TransferListItem[]): T {
  const marker: TransferMarker = { [TRANSFER]: true, value, list: list ?? defaultList(value) };
  return marker as unknown as T;
}

/** The transfer list of values without markers, shared: most payloads have none. */
const NOTHING: readonly TransferListItem[] = Object.freeze([]);

function isMarker(value: unknown): value is TransferMarker {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TRANSFER] === true;
}

/**
 * Replaces the transfer markers among `values` (not nested deeper) by their values, in place on a
 * copy, and collects what they want moved. Returns the same array when nothing is marked.
 */
export function takeTransfers(values: readonly unknown[]): {
  values: readonly unknown[];
  list: readonly TransferListItem[];
} {
  let copy: unknown[] | undefined;
  let list: TransferListItem[] | undefined;
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (!isMarker(value)) continue;
    copy ??= values.slice();
    copy[index] = value.value;
    list ??= [];
    list.push(...value.list);
  }
  return { values: copy ?? values, list: list ?? NOTHING };
}

/** The single-value form of `takeTransfers`, for a task's result. */
export function takeTransfer(value: unknown): { value: unknown; list: readonly TransferListItem[] } {
  return isMarker(value) ? { value: value.value, list: value.list } : { value, list: NOTHING };
}
