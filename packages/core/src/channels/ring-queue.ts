/**
 * A Queue, SimpleQueue or JoinableQueue as a ring in shared memory that every process puts into and
 * gets from itself (a RingChannel, ring-channel.ts): no call passes through the main process, so
 * traffic between two children goes on while the main process computes.
 *
 * Beside the ring's own words, the header holds the queue's counters:
 *
 *   COUNT       items put and not yet got, those still held by a putter included (qsize, maxsize)
 *   ROOM        bumped by every get of a bounded queue: puts waiting for room sleep on it
 *   UNFINISHED  items put and not yet marked done (JoinableQueue.taskDone, join)
 *   DONE        bumped when UNFINISHED reaches 0: join() sleeps on it
 *
 * A handle's `close()` fails its own waiting calls only.
 */
import { Empty, Full, MprocRangeError, QueueClosedError } from '../errors.js';
import { openRegion, type RegionDescriptor, type SharedRegion } from '../shared/shared-memory.js';
import { RING_FREE_WORD } from './byte-ring.js';
import { encodeItem, keptItem } from './item-codec.js';
import { allocateRing, type ChannelOwner, type ReceiveRules, RingChannel } from './ring-channel.js';
import { WordSignal } from './word-signal.js';

const COUNT = RING_FREE_WORD;
const ROOM = RING_FREE_WORD + 1;
const ROOM_SLEEPERS = RING_FREE_WORD + 2;
const UNFINISHED = RING_FREE_WORD + 3;
const DONE = RING_FREE_WORD + 4;
const DONE_SLEEPERS = RING_FREE_WORD + 5;

/** How a ring queue crosses to another process, inside its handle's descriptor. */
export interface RingQueueDescriptor {
  readonly region: RegionDescriptor;
  readonly maxsize: number;
}

export type QueueOwner = ChannelOwner;

const closedError = () => new QueueClosedError('the queue was closed');
const GET_RULES: ReceiveRules = { timedOut: () => new Empty('the queue is empty') };

export class RingQueue {
  readonly #channel: RingChannel;
  readonly #words: Int32Array;
  /** 0 or less: no limit, as in Python. */
  readonly #maxsize: number;
  readonly #room: WordSignal;
  readonly #done: WordSignal;

  private constructor(region: SharedRegion, maxsize: number) {
    this.#channel = RingChannel.on(region);
    this.#words = this.#channel.ring.words;
    this.#maxsize = maxsize;
    const waiter = region.waiter as NonNullable<SharedRegion['waiter']>;
    this.#room = new WordSignal(this.#words, ROOM, ROOM_SLEEPERS, waiter);
    this.#done = new WordSignal(this.#words, DONE, DONE_SLEEPERS, waiter);
    this.#channel.onReceived(() => {
      Atomics.sub(this.#words, COUNT, 1);
      if (this.#maxsize > 0) this.#room.notify();
    });
  }

  /** A new ring queue, or undefined where rings cannot be had (see `allocateRing`). */
  static create(maxsize: number): RingQueue | undefined {
    const region = allocateRing();
    return region && new RingQueue(region, maxsize);
  }

  /**
   * The ring queue a descriptor names, in this process.
   * @throws InvalidStateError when its memory cannot be reached any more (see `openRegion`).
   */
  static open(descriptor: RingQueueDescriptor): RingQueue {
    return new RingQueue(openRegion(descriptor.region), descriptor.maxsize);
  }

  descriptor(): RingQueueDescriptor {
    return { region: this.#channel.region.descriptor(), maxsize: this.#maxsize };
  }

  /**
   * Puts `item`: at once when there is room for it (always, in an unbounded queue); in a bounded queue
   * that is full, after waiting up to `timeout` ms (0: not at all) for room.
   * @returns a Promise that rejects with Full when no room came in time, QueueClosedError when `owner`
   *   was closed meanwhile, SerializationError for an item that cannot be sent.
   */
  put(item: unknown, timeout: number | undefined, owner: QueueOwner): Promise<void> {
    let encoded: ReturnType<typeof encodeItem>;
    try {
      encoded = encodeItem(item, 'the item', this.#channel.ring.maxMessageBytes);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#reserve()) return this.#send(encoded);
    if (timeout === 0) return Promise.reject(new Full('the queue is full'));
    const reserve = () => {
      if (owner.closed) throw closedError();
      return this.#reserve() ? true : undefined;
    };
    const kept = keptItem(encoded);
    return this.#room.wait(reserve, timeout).then((reserved) => {
      if (!reserved) throw new Full('the queue is full');
      return this.#send(kept);
    });
  }

  /**
   * Takes the first item, waiting up to `timeout` ms (0: not at all) for one.
   * @returns a Promise that rejects with Empty when none came in time, QueueClosedError when `owner`
   *   is closed meanwhile.
   */
  get(timeout: number | undefined, owner: QueueOwner): Promise<unknown> {
    return this.#channel.receive(timeout, owner, GET_RULES);
  }

  /** Items put and not yet got, as Python's `qsize()` (items a putter still holds count). */
  qsize(): number {
    return Math.max(0, Atomics.load(this.#words, COUNT));
  }

  full(): boolean {
    return this.#maxsize > 0 && this.qsize() >= this.#maxsize;
  }

  /**
   * Marks one item done (JoinableQueue).
   * @throws RangeError when every item put is already marked done.
   */
  taskDone(): void {
    for (;;) {
      const unfinished = Atomics.load(this.#words, UNFINISHED);
      if (unfinished <= 0) {
        throw new MprocRangeError(
          'taskDone() called more times than there were items put in the queue',
          'ERR_MPROC_TASK_DONE_TOO_MANY',
        );
      }
      if (Atomics.compareExchange(this.#words, UNFINISHED, unfinished, unfinished - 1) === unfinished) {
        if (unfinished === 1) this.#done.notifyAll();
        return;
      }
    }
  }

  /** Resolves once every item put is marked done; rejects with QueueClosedError if `owner` closes first. */
  async join(owner: QueueOwner): Promise<void> {
    await this.#done.wait(() => {
      if (owner.closed) throw closedError();
      return Atomics.load(this.#words, UNFINISHED) <= 0 ? true : undefined;
    });
  }

  /** `owner` was closed: its waiting gets fail now, its waiting puts and joins at their next look. */
  closed(owner: QueueOwner): void {
    this.#channel.withdraw(owner, closedError);
    this.#room.notifyAll();
    this.#done.notifyAll();
  }

  /** Takes one slot of COUNT; false when a bounded queue is full. */
  #reserve(): boolean {
    const words = this.#words;
    if (this.#maxsize <= 0) {
      Atomics.add(words, COUNT, 1);
      return true;
    }
    for (;;) {
      const count = Atomics.load(words, COUNT);
      if (count >= this.#maxsize) return false;
      if (Atomics.compareExchange(words, COUNT, count, count + 1) === count) return true;
    }
  }

  #send(encoded: ReturnType<typeof encodeItem>): Promise<void> {
    Atomics.add(this.#words, UNFINISHED, 1);
    const sent = this.#channel.send(encoded);
    // Only a parcel's store can fail; bytes are written or held (and no promise is made per put).
    if (!('parcel' in encoded)) return sent;
    return sent.catch((error: unknown) => {
      // The item was not put after all: give its slot back.
      Atomics.sub(this.#words, COUNT, 1);
      Atomics.sub(this.#words, UNFINISHED, 1);
      if (this.#maxsize > 0) this.#room.notify();
      throw error;
    });
  }
}
