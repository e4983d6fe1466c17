/**
 * What travels through Redis, both ways: a value serialized by V8 and an HMAC-SHA256 of those bytes
 * under the pool's authkey. The receiver checks the HMAC before it deserializes anything, so a job
 * that anyone with access to Redis made or changed is refused before any module is resolved.
 */
import { createHmac, type KeyObject, timingSafeEqual } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';

/** The JSON that BullMQ stores: the bytes in base64 and their HMAC in hex. */
export interface Sealed {
  readonly bytes: string;
  readonly hmac: string;
}

/** Thrown for a sealed value whose HMAC does not match (or that is not a sealed value at all). */
export class SealBrokenError extends Error {
  override readonly name = 'SealBrokenError';
}

function hmacOf(bytes: Uint8Array, authkey: KeyObject): Buffer {
  return createHmac('sha256', authkey).update(bytes).digest();
}

export function seal(value: unknown, authkey: KeyObject): Sealed {
  const bytes = serialize(value);
  return { bytes: bytes.toString('base64'), hmac: hmacOf(bytes, authkey).toString('hex') };
}

/** @throws SealBrokenError when `sealed` was not made by `seal()` with this authkey. */
export function unseal(sealed: unknown, authkey: KeyObject): unknown {
  const { bytes, hmac } = (sealed ?? {}) as Partial<Sealed>;
  if (typeof bytes !== 'string' || typeof hmac !== 'string') {
    throw new SealBrokenError('not an mproc message (no bytes and HMAC)');
  }
  const raw = Buffer.from(bytes, 'base64');
  const expected = hmacOf(raw, authkey);
  const given = Buffer.from(hmac, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new SealBrokenError(
      'the HMAC does not match: the message was not made with this authkey, or was changed',
    );
  }
  return deserialize(raw);
}
