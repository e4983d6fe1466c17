/**
 * How a sealed message sits in Redis. A small one is the job's data (or return value) itself, its
 * bytes in base64 inside BullMQ's JSON. A large one is stored as a binary string under a key of its
 * own and the job carries only the key: BullMQ copies a job's data through JSON and Lua scripts and
 * its return value into the event stream, where a 64 MiB task took over 20 s (measured) and
 * outlived its job's lock.
 */
import type { Redis } from 'ioredis';
import { SealBrokenError, type Sealed } from './sealed.js';

/** What BullMQ stores: the bytes inline, or the key that holds them; with their HMAC either way. */
export interface Envelope {
  readonly bytes?: string;
  readonly key?: string;
  readonly hmac: string;
}

/** Larger messages go under a key of their own. */
const INLINE_MAX_BYTES = 256 * 1024;
/** A stored message outlives its job by no more than this, whoever fails to delete it. */
const STORED_TTL_S = 3_600;

/** `sealed` as BullMQ should carry it; a large one is first stored under `key`. */
export async function wrap(client: Redis, key: string, sealed: Sealed): Promise<Envelope> {
  if (sealed.bytes.length <= INLINE_MAX_BYTES)
    return { bytes: sealed.bytes.toString('base64'), hmac: sealed.hmac };
  await client.set(key, sealed.bytes, 'EX', STORED_TTL_S);
  return { key, hmac: sealed.hmac };
}

/** @throws SealBrokenError for what is not an envelope, or one whose stored bytes are gone. */
export async function unwrap(client: Redis, envelope: unknown): Promise<Sealed> {
  const { bytes, key, hmac } = (envelope ?? {}) as Partial<Envelope>;
  if (typeof hmac !== 'string') throw new SealBrokenError('not an mproc message (no HMAC)');
  if (typeof bytes === 'string') return { bytes: Buffer.from(bytes, 'base64'), hmac };
  if (typeof key !== 'string') throw new SealBrokenError('not an mproc message (no bytes)');
  const stored = await client.getBuffer(key);
  if (!stored) throw new SealBrokenError(`the message stored under ${key} is gone (expired or deleted)`);
  return { bytes: stored, hmac };
}
