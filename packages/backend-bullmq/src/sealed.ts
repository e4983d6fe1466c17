/**
 * What travels through Redis, both ways: a value serialized by V8 and an HMAC-SHA256 of those bytes
 * under the pool's authkey. The receiver checks the HMAC before it deserializes anything, so a job
 * that anyone with access to Redis made or changed is refused before any module is resolved. How
 * the bytes sit in Redis is envelope.ts's business.
 */
import { createHmac, type KeyObject, timingSafeEqual } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';

export interface Sealed {
  readonly bytes: Buffer;
  /** HMAC-SHA256 of `bytes` under the authkey, in hex. */
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
  return { bytes, hmac: hmacOf(bytes, authkey).toString('hex') };
}

/** @throws SealBrokenError when `sealed` was not made by `seal()` with this authkey. */
export function unseal({ bytes, hmac }: Sealed, authkey: KeyObject): unknown {
  const expected = hmacOf(bytes, authkey);
  const given = Buffer.from(hmac, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new SealBrokenError(
      'the HMAC does not match: the message was not made with this authkey, or was changed',
    );
  }
  return deserialize(bytes);
}

/** `sealed` as one buffer, its HMAC's 32 bytes first: for a value stored by key alone. */
export function joined({ bytes, hmac }: Sealed): Buffer {
  return Buffer.concat([Buffer.from(hmac, 'hex'), bytes]);
}

/** A `joined` buffer as the sealed value it holds. */
export function split(buffer: Buffer): Sealed {
  return { hmac: buffer.subarray(0, 32).toString('hex'), bytes: buffer.subarray(32) };
}
