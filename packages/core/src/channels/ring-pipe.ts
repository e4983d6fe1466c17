/**
 * One end of a Pipe on rings in shared memory: the ring it receives from (its inbox) and the ring it
 * sends into (its outbox), one RingChannel each (ring-channel.ts); a duplex pipe has two rings, a
 * one-way pipe one. Processes send and receive directly, with no call through the main process.
 *
 * Each ring's header holds two flags after the ring's own words: the sending end was closed (the
 * receiver reads what is left, then EOF) and the receiving end was closed (a send fails).
 */
import { EOFError, InvalidStateError, MprocTypeError } from '../errors.js';
import { openRegion, type RegionDescriptor } from '../shared/shared-memory.js';
import { RING_FREE_WORD } from './byte-ring.js';
import { encodeBytes, encodeItem, isBytesTag } from './item-codec.js';
import { allocateRing, type ChannelOwner, type ReceiveRules, RingChannel } from './ring-channel.js';

const SENDER_CLOSED = RING_FREE_WORD;
const RECEIVER_CLOSED = RING_FREE_WORD + 1;

/** How a ring end crosses to another process, inside its Connection's descriptor. */
export interface RingEndDescriptor {
  readonly inbox: RegionDescriptor | null;
  readonly outbox: RegionDescriptor | null;
}

const eof = () => new EOFError('the other end of the pipe is closed and nothing is left to read');
const endClosed = () => new InvalidStateError('the connection is closed');
const notBytes = () =>
  new MprocTypeError('the next message was sent with send(), not sendBytes(): use recv()');
const never = () => new InvalidStateError('a receive without a timeout timed out');

function flag(channel: RingChannel | undefined, word: number): boolean {
  return channel !== undefined && Atomics.load(channel.ring.words, word) !== 0;
}

export class RingEnd {
  readonly #inbox: RingChannel | undefined;
  readonly #outbox: RingChannel | undefined;
  readonly #recvRules: ReceiveRules;
  readonly #recvBytesRules: ReceiveRules;

  private constructor(inbox: RingChannel | undefined, outbox: RingChannel | undefined) {
    this.#inbox = inbox;
    this.#outbox = outbox;
    const ended = () => (this.closed ? endClosed() : flag(inbox, SENDER_CLOSED) ? eof() : undefined);
    this.#recvRules = { ended, timedOut: never };
    this.#recvBytesRules = { ended, timedOut: never, accept: isBytesTag, refused: notBytes };
  }

  /**
   * The two ends of a new pipe (the first receives, the second sends, when not `duplex`), or
   * undefined where rings cannot be had: the caller then uses the main process's broker.
   */
  static pair(duplex: boolean): [RingEnd, RingEnd] | undefined {
    const toFirst = allocateRing();
    const toSecond = duplex ? allocateRing() : undefined;
    if (!toFirst || (duplex && !toSecond)) return undefined;
    const first = RingChannel.on(toFirst);
    const second = toSecond && RingChannel.on(toSecond);
    return [new RingEnd(first, second), new RingEnd(second, first)];
  }

  /**
   * The end a descriptor names, in this process.
   * @throws InvalidStateError when its memory cannot be reached any more (see `openRegion`).
   */
  static open(descriptor: RingEndDescriptor): RingEnd {
    const channel = (region: RegionDescriptor | null) => region && RingChannel.on(openRegion(region));
    return new RingEnd(channel(descriptor.inbox) ?? undefined, channel(descriptor.outbox) ?? undefined);
  }

  descriptor(): RingEndDescriptor {
    return {
      inbox: this.#inbox?.region.descriptor() ?? null,
      outbox: this.#outbox?.region.descriptor() ?? null,
    };
  }

  /** True once this end was closed, by any process. */
  get closed(): boolean {
    return flag(this.#inbox, RECEIVER_CLOSED) || flag(this.#outbox, SENDER_CLOSED);
  }

  /**
   * Sends `obj` to the other end; with `ownCopy`, `obj` is bytes (sendBytes), and `ownCopy` makes the
   * copy of its own that a message too large for the ring travels as.
   * @returns a Promise that rejects with InvalidStateError when either end is closed,
   *   SerializationError for an object that cannot be sent.
   */
  send(obj: unknown, ownCopy?: (bytes: Uint8Array) => unknown): Promise<void> {
    const outbox = this.#outbox as RingChannel;
    if (this.closed) return Promise.reject(endClosed());
    if (flag(outbox, RECEIVER_CLOSED)) {
      return Promise.reject(new InvalidStateError('the other end of the pipe is closed'));
    }
    try {
      const max = outbox.ring.maxMessageBytes;
      if (!ownCopy) return outbox.send(encodeItem(obj, 'the object', max));
      const encoded = encodeBytes(obj as Uint8Array, max);
      return outbox.send('parcel' in encoded ? { parcel: ownCopy(obj as Uint8Array), bytes: true } : encoded);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The next message (with `bytes`, the next one sent with sendBytes), waiting for one.
   * @returns a Promise that rejects with EOFError once the other end is closed and nothing is left,
   *   TypeError when `bytes` and the next message is an object (it stays for `recv`).
   */
  receive(bytes: boolean, owner: ChannelOwner): Promise<unknown> {
    return (this.#inbox as RingChannel).receive(
      undefined,
      owner,
      bytes ? this.#recvBytesRules : this.#recvRules,
    );
  }

  /**
   * Whether there is something to read, or the other end is closed (so that `recv` fails at once),
   * within `timeout` ms (undefined: whenever that is).
   */
  async poll(timeout: number | undefined, owner: ChannelOwner): Promise<boolean> {
    const inbox = this.#inbox as RingChannel;
    const ready = () => {
      if (owner.closed || this.closed) throw endClosed();
      return inbox.ring.hasMessage() || flag(inbox, SENDER_CLOSED) ? true : undefined;
    };
    return (await inbox.ring.readable.wait(ready, timeout)) === true;
  }

  /** `owner` was closed: its waiting receives fail. */
  withdraw(owner: ChannelOwner): void {
    this.#inbox?.withdraw(owner, () => new InvalidStateError('the connection was closed'));
    this.#inbox?.wake();
  }

  /**
   * Closes this end for every process, once what this process sent is in the ring: the other end
   * reads it, then EOF.
   */
  async close(): Promise<void> {
    const outbox = this.#outbox;
    if (outbox) {
      await outbox.flushed();
      Atomics.store(outbox.ring.words, SENDER_CLOSED, 1);
      outbox.wake();
    }
    const inbox = this.#inbox;
    if (inbox) {
      Atomics.store(inbox.ring.words, RECEIVER_CLOSED, 1);
      inbox.wake();
    }
  }
}
