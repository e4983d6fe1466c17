/**
 * Where memory can move (threads), a large buffer is copied once by the sender and the copy moved,
 * instead of cloned: a clone copies it twice, into the message and out of it. The sender keeps its
 * own, the receiver gets an equal copy, as with a clone. Only whole-buffer ArrayBuffers and typed
 * arrays of the built-in kinds qualify, as a task's result or in a list of nothing but them and
 * primitives, so nothing observable changes: no other object of the message can refer to them, and
 * the same one twice in a list still arrives as one object twice.
 */
import type { TransferListItem } from '../transfer-list-item.js';
import { TYPED_ARRAYS } from './typed-arrays.js';

/** Smaller buffers are cloned as usual: the bookkeeping would cost more than the copy it saves. */
const COPY_TO_MOVE_FROM = 64 * 1024;

const TYPED_ARRAY_PROTOTYPES: ReadonlySet<object> = new Set(
  Object.values(TYPED_ARRAYS).map((type) => type.prototype),
);

type Movable = ArrayBuffer | { readonly buffer: ArrayBuffer; slice(): Movable };

/** Large, whole, not shared, and not already moved by `transfer()`. */
function isMovable(value: unknown, transfer: readonly TransferListItem[]): value is Movable {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof ArrayBuffer) return value.byteLength >= COPY_TO_MOVE_FROM && !transfer.includes(value);
  if (!TYPED_ARRAY_PROTOTYPES.has(Object.getPrototypeOf(value))) return false;
  const view = value as ArrayBufferView;
  return (
    view.buffer instanceof ArrayBuffer &&
    view.byteOffset === 0 &&
    view.byteLength === view.buffer.byteLength &&
    view.byteLength >= COPY_TO_MOVE_FROM &&
    !transfer.includes(view.buffer)
  );
}

function copyOf(value: Movable): Movable {
  return value instanceof ArrayBuffer ? value.slice(0) : value.slice();
}

function bufferOf(copy: Movable): ArrayBuffer {
  return copy instanceof ArrayBuffer ? copy : copy.buffer;
}

/**
 * `values` with each large buffer replaced by a copy whose memory is added to `transfer`; the same
 * array when there is none, or when another object in the list could refer to one.
 */
export function copyListToMove(values: readonly unknown[], transfer: TransferListItem[]): readonly unknown[] {
  let movable = false;
  for (const value of values) {
    if (isMovable(value, transfer)) movable = true;
    else if ((typeof value === 'object' && value !== null) || typeof value === 'function') return values;
  }
  if (!movable) return values;
  let copies: Map<Movable, Movable> | undefined;
  let result: unknown[] | undefined;
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (!isMovable(value, transfer)) continue;
    copies ??= new Map();
    let copy = copies.get(value);
    if (!copy) {
      copy = copyOf(value);
      copies.set(value, copy);
      transfer.push(bufferOf(copy));
    }
    result ??= values.slice();
    result[index] = copy;
  }
  return result ?? values;
}

/** The single-value form of `copyListToMove`, for a task's result. */
export function copyValueToMove(value: unknown, transfer: TransferListItem[]): unknown {
  if (!isMovable(value, transfer)) return value;
  const copy = copyOf(value);
  transfer.push(bufferOf(copy));
  return copy;
}
