/**
 * `Pipe()` and its `Connection` ends: Python's `multiprocessing.Pipe` for every start method. The pipe
 * is a ring in shared memory per direction that the processes at its ends write and read themselves
 * (channels/ring-pipe.ts); without the native addon it lives in the main process (broker/). Each
 * Connection is a handle on one of its two ends and may be passed to any worker. What one end sends,
 * the other receives, in order.
 *
 * `close()` closes the end for every process, so the other end reads EOF once it has read what was
 * sent, with one exception that keeps a common Python idiom working: closing a handle that this process
 * has passed to another process (e.g. the child's end, after starting the child) only closes this
 * process's copy, as closing an inherited descriptor does in Python.
 */
import { Buffer } from 'node:buffer';
import { BrokerHandle, type HandleDescriptor, newId, registerHandleKind } from '../broker/handle.js';
import { create } from '../broker/invoke.js';
import type { End } from '../broker/pipe-core.js';
import { RingEnd, type RingEndDescriptor } from '../channels/ring-pipe.js';
import { InvalidStateError, MprocRangeError, MprocTypeError } from '../errors.js';
import { isMainProcess } from '../process-info.js';
import { STAGE_FROM, StagedBytes } from '../serialize/staged-bytes.js';
import { transfer } from '../serialize/transfer.js';
import { checkTimeout } from '../timeout-option.js';

/** The bytes of `buffer` from `offset`, `size` of them, as Python's `send_bytes` takes them (a view). */
function bytesOf(
  buffer: ArrayBufferLike | ArrayBufferView,
  offset: number,
  size: number | undefined,
): Uint8Array {
  let bytes: Uint8Array;
  if (ArrayBuffer.isView(buffer)) bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  else if (buffer instanceof ArrayBuffer || buffer instanceof SharedArrayBuffer)
    bytes = new Uint8Array(buffer);
  else
    throw new MprocTypeError(
      'sendBytes(): buffer must be an ArrayBuffer, a typed array, a DataView or a Buffer',
    );
  if (!Number.isInteger(offset) || offset < 0)
    throw new MprocRangeError('sendBytes(): offset must be a non-negative integer');
  if (offset > bytes.length) throw new MprocRangeError('sendBytes(): buffer length < offset');
  const length = size ?? bytes.length - offset;
  if (!Number.isInteger(length) || length < 0)
    throw new MprocRangeError('sendBytes(): size must be a non-negative integer');
  if (offset + length > bytes.length) throw new MprocRangeError('sendBytes(): buffer length < offset + size');
  return bytes.subarray(offset, offset + length);
}

/**
 * One end of a Pipe (Python's `multiprocessing.connection.Connection`), made by `Pipe()`.
 * @throws InvalidStateError (as rejections) from every method once this handle or its end is closed;
 *   EOFError from `recv`/`recvBytes` once the other end is closed and nothing is left.
 */
export class Connection extends BrokerHandle {
  static {
    registerHandleKind(
      'connection',
      (descriptor: HandleDescriptor) =>
        new Connection(
          descriptor.id,
          descriptor.end as End,
          descriptor.readable as boolean,
          descriptor.writable as boolean,
          descriptor.ring ? RingEnd.open(descriptor.ring as RingEndDescriptor) : undefined,
        ),
    );
  }

  readonly #end: End;
  readonly #readable: boolean;
  readonly #writable: boolean;
  /** The end on rings; undefined when the pipe lives in the main process. */
  readonly #ring: RingEnd | undefined;
  /** Whether close() was called on this handle, as its waiting calls see it. */
  readonly #owner = { closed: false };
  /** This handle was passed to another process: closing it closes only this copy (see above). */
  #passedOn = false;

  /** @internal Use `Pipe()`. */
  constructor(pipeId: string, end: End, readable: boolean, writable: boolean, ring?: RingEnd) {
    super(pipeId, 'connection');
    this.#end = end;
    this.#readable = readable;
    this.#writable = writable;
    this.#ring = ring;
  }

  /** True once `close()` was called on this handle. */
  get closed(): boolean {
    return this.#owner.closed;
  }

  /** Whether this end can receive (false for the sending end of `Pipe(false)`). */
  get readable(): boolean {
    return this.#readable;
  }

  /** Whether this end can send (false for the receiving end of `Pipe(false)`). */
  get writable(): boolean {
    return this.#writable;
  }

  /**
   * Sends `obj` (a structured clone of it) to the other end.
   * @throws (as rejections) InvalidStateError when this end or the other is closed, or this end is
   *   read-only; SerializationError naming the path of a value that cannot be sent.
   */
  async send(obj: unknown): Promise<void> {
    this.#check('send', this.#writable, 'read-only');
    // Not awaited before the call: a send with room is written before send() returns.
    if (this.#ring) return this.#ring.send(obj);
    await this.invoke('send', [this.#end, obj], { write: true });
  }

  /**
   * The next object sent from the other end, waiting for one.
   * @throws (as rejections) EOFError when the other end is closed and nothing is left to read;
   *   InvalidStateError when this end is closed (also for a `recv` waiting then) or write-only.
   */
  async recv<T = unknown>(): Promise<T> {
    this.#check('recv', this.#readable, 'write-only');
    if (this.#ring) return (await this.#ring.receive(false, this.#owner)) as T;
    return (await this.invoke('recv', [this.#end], { token: this.token })) as T;
  }

  /**
   * Whether there is something to read (or the other end is closed, so `recv` would fail at once):
   * at once with no timeout (Python's default 0), within `timeout` ms, or whenever that is with null.
   * @throws (as rejections) InvalidStateError when this end is closed; TypeError/RangeError for an
   *   invalid timeout.
   */
  async poll(timeout: number | null = 0): Promise<boolean> {
    this.#check('poll', this.#readable, 'write-only');
    const limit = checkTimeout(timeout, 'Connection.poll()');
    if (this.#ring) return this.#ring.poll(limit, this.#owner);
    return (await this.invoke('poll', [this.#end, limit], { token: this.token })) as boolean;
  }

  /**
   * Sends `size` bytes of `buffer` from byte `offset` (default: all of it) as one message.
   * @throws (as rejections) TypeError for a buffer that is not bytes; RangeError for an offset or size
   *   outside it; InvalidStateError as `send`.
   */
  async sendBytes(buffer: ArrayBufferLike | ArrayBufferView, offset = 0, size?: number): Promise<void> {
    this.#check('sendBytes', this.#writable, 'read-only');
    const bytes = bytesOf(buffer, offset, size);
    if (this.#ring) return this.#ring.send(bytes, (large) => this.#copyToSend(large));
    await this.invoke('sendBytes', [this.#end, this.#copyToSend(bytes)], { write: true });
  }

  /**
   * The next message, sent with `sendBytes`, as a Buffer.
   * @throws (as rejections) TypeError when the next message was sent with `send` (it stays for
   *   `recv`); EOFError and InvalidStateError as `recv`.
   */
  async recvBytes(): Promise<Buffer> {
    this.#check('recvBytes', this.#readable, 'write-only');
    const bytes = (
      this.#ring
        ? await this.#ring.receive(true, this.#owner)
        : await this.invoke('recvBytes', [this.#end], { token: this.token })
    ) as Uint8Array;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /**
   * Closes this end for every process: the other end reads what was sent, then EOF. On a handle this
   * process passed to another process, closes only this copy. Calling it again does nothing.
   */
  async close(): Promise<void> {
    if (this.#owner.closed) return;
    this.#owner.closed = true;
    if (!this.#ring) {
      await this.invoke('close', [this.#end, !this.#passedOn], { token: this.token, write: true });
      return;
    }
    this.#ring.withdraw(this.#owner);
    if (!this.#passedOn) await this.#ring.close();
  }

  /** `close()`, for `await using connection = ...`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * A copy of its own, so the caller may reuse its buffer at once. In a thread the copy's memory moves
   * to the main process instead of being copied once more. In the main process, large bytes are
   * copied into a memfd, which a worker's `recvBytes` maps as it is (serialize/staged-bytes.ts): one
   * copy in all, and a faster one than filling a fresh buffer.
   */
  #copyToSend(bytes: Uint8Array): unknown {
    if (!isMainProcess()) return transfer(bytes.slice());
    if (bytes.length >= STAGE_FROM) {
      const staged = StagedBytes.copy(bytes, 'Uint8Array');
      if (staged) return staged;
    }
    return bytes.slice();
  }

  protected override describeMore(): Record<string, unknown> {
    const ring = this.#ring?.descriptor();
    return { end: this.#end, readable: this.#readable, writable: this.#writable, ...(ring && { ring }) };
  }

  protected override sent(): void {
    this.#passedOn = true;
  }

  #check(what: string, allowed: boolean, refusal: string): void {
    if (this.#owner.closed) throw new InvalidStateError(`Connection.${what}(): the connection is closed`);
    if (!allowed) throw new InvalidStateError(`Connection.${what}(): the connection is ${refusal}`);
  }
}

/**
 * A pipe: two Connections, returned synchronously. Duplex by default; with `duplex = false` the first
 * end only receives and the second only sends, as in Python.
 * @throws TypeError when `duplex` is not a boolean.
 */
export function Pipe(duplex = true): [Connection, Connection] {
  if (typeof duplex !== 'boolean') throw new MprocTypeError('Pipe(duplex): duplex must be a boolean');
  const id = newId();
  const rings = RingEnd.pair(duplex);
  if (!rings) create('pipe', id, { duplex });
  return [new Connection(id, 0, true, duplex, rings?.[0]), new Connection(id, 1, duplex, true, rings?.[1])];
}
