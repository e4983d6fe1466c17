/**
 * How an item crosses a ring: as bytes that one tag byte starts. Numbers, strings and plain records
 * of them, the usual items of a stream, skip V8's serializer (it costs about 1.5 µs each way for a
 * small int, 6 µs for a 1 KiB record; see plain-codec.ts); other values are serialized by V8 after
 * shared objects inside them (queues, Values, locks...) are reduced to descriptors, as on every
 * other channel.
 *
 * A value that V8 cannot write as bytes although it could cross a worker channel (a SharedArrayBuffer
 * inside it), or whose bytes would not fit the ring, is a "parcel": the channel sends it another way
 * and puts only a marker in the ring (see ring-queue.ts).
 */
import { Buffer } from 'node:buffer';
import { deserialize, serialize } from 'node:v8';
import { SerializationError } from '../errors.js';
import { reduceValue, reviveValue } from '../serialize/reducers.js';
import { takeTransfer } from '../serialize/transfer.js';
import { findUnclonable, isCloneable } from '../serialize/unclonable-path.js';
import { decodePlain, encodePlain } from './plain-codec.js';

const V8 = 0;
const V8_REVIVE = 1;
const NUMBER = 2;
/** A string, or a plain object or array (plain-codec.ts). */
const PLAIN = 3;
const PARCEL = 4;
/** A Pipe's `sendBytes` message: the bytes as they are. */
const BYTES = 5;
const BYTES_PARCEL = 6;

/**
 * What `encodeItem` gives: the bytes to put in the ring, or a value to send as a parcel. The bytes may
 * be a view of a buffer that the next encoding reuses: see `keptItem`.
 */
export type EncodedItem = { readonly bytes: Buffer } | { readonly parcel: unknown; readonly bytes?: true };

/** What `decodeItem` gives: the item, or the id of the parcel to fetch. */
export type DecodedItem = { readonly value: unknown } | { readonly parcelId: string };

/** A number's message, reused from one to the next (see EncodedItem). */
const numberBytes = Buffer.alloc(9, NUMBER);

/**
 * `item` as bytes of at most `maxBytes`, or as a parcel when it cannot be.
 * @throws SerializationError naming the path (from `what`) of a value that cannot be sent at all.
 */
export function encodeItem(item: unknown, what: string, maxBytes: number): EncodedItem {
  const value = takeTransfer(item).value;
  if (typeof value === 'number') {
    numberBytes.writeDoubleLE(value, 1);
    return { bytes: numberBytes };
  }
  let bytes = encodePlain(value, PLAIN, maxBytes);
  if (!bytes) {
    const reduced = reduceValue(value);
    let serialized: Buffer;
    try {
      serialized = serialize(reduced.value);
    } catch (error) {
      if (isCloneable(reduced.value)) return { parcel: value };
      const path = findUnclonable(reduced.value, what) ?? (error as Error).message;
      throw new SerializationError(`cannot send ${what}: ${path}`, { cause: error });
    }
    bytes = Buffer.allocUnsafe(1 + serialized.byteLength);
    bytes[0] = reduced.changed ? V8_REVIVE : V8;
    bytes.set(serialized, 1);
  }
  return bytes.byteLength > maxBytes ? { parcel: value } : { bytes };
}

/** `encoded` with bytes of its own, to keep past the next encoding (a message held for later). */
export function keptItem(encoded: EncodedItem): EncodedItem {
  return 'parcel' in encoded ? encoded : { bytes: Buffer.from(encoded.bytes) };
}

/** `bytes` as a message of their own (a Pipe's `sendBytes`), or as a parcel when they would not fit. */
export function encodeBytes(bytes: Uint8Array, maxBytes: number): EncodedItem {
  if (1 + bytes.byteLength > maxBytes) return { parcel: bytes, bytes: true } as const;
  const message = Buffer.allocUnsafe(1 + bytes.byteLength);
  message[0] = BYTES;
  message.set(bytes, 1);
  return { bytes: message };
}

/** Whether a message with this first byte was sent as bytes (see `encodeBytes`). */
export function isBytesTag(tag: number): boolean {
  return tag === BYTES || tag === BYTES_PARCEL;
}

/** The marker that stands in the ring for the parcel `id` (of bytes, with `bytes`). */
export function parcelMarker(id: string, bytes = false): Uint8Array {
  const marker = Buffer.allocUnsafe(1 + Buffer.byteLength(id));
  marker[0] = bytes ? BYTES_PARCEL : PARCEL;
  marker.write(id, 1);
  return marker;
}

/** Reused by `readTarget` from one message to the next. */
let scratch = Buffer.allocUnsafeSlow(4096);

/**
 * Where to read a message of `length` bytes with this tag off a ring (a ByteRing's ReadTarget), to
 * decode it at once: numbers, plain values and parcel markers decode to values that keep nothing of
 * their bytes, so they are read into one buffer reused from message to message, which spares an
 * allocation per item; bytes and V8's serializations, whose values may share their memory (a Buffer,
 * a typed array), into a buffer of their own.
 */
export function readTarget(tag: number, length: number): Buffer {
  if (tag !== NUMBER && tag !== PLAIN && tag !== PARCEL && tag !== BYTES_PARCEL) {
    return Buffer.allocUnsafeSlow(length);
  }
  if (scratch.length < length) scratch = Buffer.allocUnsafeSlow(Math.max(length, scratch.length * 2));
  return scratch.subarray(0, length);
}

/** An item's bytes, read back. */
export function decodeItem(buffer: Buffer): DecodedItem {
  switch (buffer[0]) {
    case NUMBER:
      return { value: buffer.readDoubleLE(1) };
    case PLAIN:
      return { value: decodePlain(buffer) };
    case PARCEL:
    case BYTES_PARCEL:
      return { parcelId: buffer.toString('utf8', 1) };
    case BYTES:
      return { value: buffer.subarray(1) };
    case V8_REVIVE:
      return { value: reviveValue(deserialize(buffer.subarray(1))) };
    default:
      return { value: deserialize(buffer.subarray(1)) };
  }
}
