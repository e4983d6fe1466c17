/**
 * The state of one Pipe, kept in the main process: for each of its two ends, the messages waiting to
 * be received there, the calls waiting in `recv`/`poll`, and whether the end is closed. A message sent
 * from one end is received at the other. Once an end is closed and what it sent has been read, `recv`
 * at the other end fails with EOFError.
 */
import { EOFError, InvalidStateError, MprocTypeError } from '../errors.js';
import { StagedBytes } from '../serialize/staged-bytes.js';
import { transfer } from '../serialize/transfer.js';
import type { Call } from './call.js';
import { Deque } from './deque.js';
import type { BrokerObject } from './registry.js';
import { WaitQueue } from './wait-queue.js';

export type End = 0 | 1;

interface Message {
  readonly value: unknown;
  /** Sent with sendBytes(): a Uint8Array the broker owns, or its bytes staged in a memfd. */
  readonly bytes: boolean;
}

interface EndState {
  /** Messages sent by the other end, not received yet. */
  readonly inbox: Deque<Message>;
  readonly receivers: WaitQueue<unknown, { bytes: boolean }>;
  readonly pollers: WaitQueue<boolean>;
  closed: boolean;
}

const WRITES = new Set(['send', 'sendBytes', 'close']);

function endState(): EndState {
  return { inbox: new Deque(), receivers: new WaitQueue(), pollers: new WaitQueue(), closed: false };
}

export class PipeCore implements BrokerObject {
  readonly #duplex: boolean;
  readonly #ends: readonly [EndState, EndState] = [endState(), endState()];

  constructor(duplex: boolean) {
    this.#duplex = duplex;
  }

  isWrite(method: string): boolean {
    return WRITES.has(method);
  }

  invoke(method: string, args: readonly unknown[], call: Call): unknown {
    const end = args[0] as End;
    switch (method) {
      case 'send':
        return this.#send(end, { value: call.adopt(args[1], 'the object'), bytes: false });
      case 'sendBytes':
        // The handle sends a copy of its own, so even the main process's bytes are not copied again.
        return this.#send(end, { value: args[1], bytes: true });
      case 'recv':
        return this.#recv(end, false, call);
      case 'recvBytes':
        return this.#recv(end, true, call);
      case 'poll':
        return this.#poll(end, args[1] as number | undefined, call);
      case 'close':
        return this.#close(end, args[1] as boolean, call.token);
    }
    throw new MprocTypeError(`a connection has no method '${method}'`);
  }

  dispose(error: Error): void {
    for (const state of this.#ends) {
      state.receivers.rejectWhere(() => error);
      state.pollers.rejectWhere(() => error);
    }
  }

  /** True once both ends are closed: nothing can happen on this pipe any more. */
  get finished(): boolean {
    return this.#ends[0].closed && this.#ends[1].closed;
  }

  #assertOpen(end: End): void {
    if (this.#ends[end].closed) throw new InvalidStateError('the connection is closed');
  }

  #send(end: End, message: Message): void {
    this.#assertOpen(end);
    if (!this.#duplex && end !== 1) throw new InvalidStateError('this connection is read-only');
    const peer = this.#ends[end === 0 ? 1 : 0];
    if (peer.closed) throw new InvalidStateError('the other end of the pipe is closed');
    let receiver = peer.receivers.peek();
    while (receiver?.data.bytes && !message.bytes) {
      // recvBytes() cannot take an object: it fails, and the message stays for recv().
      receiver.reject(
        new MprocTypeError('the next message was sent with send(), not sendBytes(): use recv()'),
      );
      receiver = peer.receivers.peek();
    }
    if (receiver) {
      peer.receivers.take();
      receiver.resolve(outgoing(message));
      return;
    }
    peer.inbox.push(message);
    peer.pollers.resolveAll(true);
  }

  #recv(end: End, bytes: boolean, call: Call): unknown {
    this.#assertOpen(end);
    if (!this.#duplex && end !== 0) throw new InvalidStateError('this connection is write-only');
    const state = this.#ends[end];
    const next = state.inbox.peek();
    if (next) {
      if (bytes && !next.bytes) {
        throw new MprocTypeError('the next message was sent with send(), not sendBytes(): use recv()');
      }
      state.inbox.shift();
      return outgoing(next);
    }
    if (this.#ends[end === 0 ? 1 : 0].closed) throw eof();
    return state.receivers.wait(call, undefined, () => undefined, { bytes });
  }

  #poll(end: End, timeout: number | undefined, call: Call): boolean | Promise<boolean> {
    this.#assertOpen(end);
    const state = this.#ends[end];
    // As a readable descriptor at end of file, a closed peer makes poll() true: recv() then fails.
    if (state.inbox.length > 0 || this.#ends[end === 0 ? 1 : 0].closed) return true;
    return state.pollers.wait(call, timeout, () => false, undefined);
  }

  /**
   * Closes a handle of `end`: its waiting calls fail. With `everywhere`, the end itself closes for
   * every process: its pending messages are dropped and the peer reads EOF once its inbox is empty.
   */
  #close(end: End, everywhere: boolean, token: string | undefined): void {
    const state = this.#ends[end];
    const closed = () => new InvalidStateError('the connection was closed');
    if (token !== undefined) {
      const ofHandle = (waiter: { call: Call }) => waiter.call.token === token;
      state.receivers.rejectWhere(closed, ofHandle);
      state.pollers.rejectWhere(closed, ofHandle);
    }
    if (!everywhere || state.closed) return;
    state.closed = true;
    // Messages dropped unread: their staged bytes' memfds are closed now rather than when collected.
    for (let message = state.inbox.shift(); message; message = state.inbox.shift()) {
      if (message.value instanceof StagedBytes) message.value.release();
    }
    state.receivers.rejectWhere(closed);
    state.pollers.rejectWhere(closed);
    const peer = this.#ends[end === 0 ? 1 : 0];
    peer.pollers.resolveAll(true);
    if (peer.inbox.length === 0) peer.receivers.rejectWhere(eof);
  }
}

function eof(): EOFError {
  return new EOFError('the other end of the pipe is closed and nothing is left to read');
}

/**
 * Bytes leave the broker for good: a thread worker may take their memory instead of a copy, when
 * they fill their buffer alone (bytes that came over IPC may be a view into a larger message), and
 * bytes staged in a memfd are handed on as they are (serialize/byte-staging.ts).
 */
function outgoing(message: Message): unknown {
  if (message.value instanceof StagedBytes) return message.value;
  const value = message.value as Uint8Array;
  const alone = message.bytes && value.byteOffset === 0 && value.byteLength === value.buffer.byteLength;
  return alone && value.buffer instanceof ArrayBuffer ? transfer(value) : value;
}
