/**
 * A Queue, SimpleQueue or JoinableQueue as a ring in shared memory that every process puts into and
 * gets from itself: no call passes through the main process, so traffic between two children goes on
 * while the main process computes. One RingQueue per process and ring serves every handle on it there.
 *
 * Beside the ring's own words, the header holds the queue's counters:
 *
 *   COUNT       items put and not yet got, those still held by a putter included (qsize, maxsize)
 *   ROOM        bumped by every get of a bounded queue: puts waiting for room sleep on it
 *   UNFINISHED  items put and not yet marked done (JoinableQueue.taskDone, join)
 *   DONE        bumped when UNFINISHED reaches 0: join() sleeps on it
 *
 * A put that finds room in the ring writes there and returns; there is no round trip. When the ring is
 * full, an unbounded queue's items wait in the putting process, in order, and a feeder writes them as
 * room appears (Python's feeder thread); a child that exits hands what its feeder still holds to the
 * main process, which goes on feeding it (`handOff`), so nothing put is lost and no exit waits
 * for a reader. An item the ring cannot carry as bytes (see item-codec.ts) is kept by the main process
 * as a parcel, and a marker takes its place in the ring.
 *
 * Gets in one process are served in order by one waiting loop, so a process sleeps on the ring once
 * however many of its gets wait. A handle's `close()` rejects its own waiting calls only.
 */

import { Deque } from '../broker/deque.js';
import { newId } from '../broker/handle.js';
import { invoke } from '../broker/invoke.js';
import { PARCELS_ID } from '../broker/parcel-core.js';
import { addObject } from '../broker/registry.js';
import { beforeWorkerExit } from '../child/parent-link.js';
import { Empty, Full, MprocRangeError, QueueClosedError } from '../errors.js';
import { nativeAddonForNewObjects } from '../shared/native-addon.js';
import {
  allocateRegion,
  openRegion,
  type RegionDescriptor,
  type SharedRegion,
} from '../shared/shared-memory.js';
import { ByteRing, RING_FREE_WORD, ringRegionBytes } from './byte-ring.js';
import { decodeItem, encodeItem, parcelMarker } from './item-codec.js';
import { SLICE_MS, WordSignal } from './word-signal.js';

const COUNT = RING_FREE_WORD;
const ROOM = RING_FREE_WORD + 1;
const ROOM_SLEEPERS = RING_FREE_WORD + 2;
const UNFINISHED = RING_FREE_WORD + 3;
const DONE = RING_FREE_WORD + 4;
const DONE_SLEEPERS = RING_FREE_WORD + 5;

/**
 * Data bytes of a queue's ring. Python's pipe holds 64 KiB before its feeder waits; a larger ring lets
 * a burst of puts return at once. Items larger than this travel as parcels (they are large enough for
 * the main process's staging of big buffers to pay).
 */
const RING_BYTES = 256 * 1024;

/** How a ring queue crosses to another process, inside its handle's descriptor. */
export interface RingQueueDescriptor {
  readonly region: RegionDescriptor;
  readonly maxsize: number;
}

/** The handle a call comes from: its close() ends its own waiting calls. */
export interface QueueOwner {
  readonly closed: boolean;
}

interface Getter {
  readonly owner: QueueOwner;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** A message for the ring, or the promise of a parcel's marker (the parcel is being stored). */
type Outgoing = Uint8Array | Promise<Uint8Array>;

const RESOLVED = Promise.resolve();
const closedError = () => new QueueClosedError('the queue was closed');

/** The ring queues of this process by region id, so every handle on one ring shares its state. */
const opened = new Map<string, WeakRef<RingQueue>>();
/** Ring queues whose feeder holds items now: they are handed off when the process exits. */
const feeding = new Set<RingQueue>();

export class RingQueue {
  readonly #region: SharedRegion;
  readonly #ring: ByteRing;
  readonly #words: Int32Array;
  /** 0 or less: no limit, as in Python. */
  readonly #maxsize: number;
  readonly #room: WordSignal;
  readonly #done: WordSignal;
  readonly #pending = new Deque<Outgoing>();
  readonly #getters = new Set<Getter>();
  #serving = false;
  /** Set when this process hands its held items to the main process: its feeder stops. */
  #handedOff = false;

  private constructor(region: SharedRegion, maxsize: number) {
    this.#region = region;
    this.#ring = new ByteRing(region);
    this.#words = this.#ring.words;
    this.#maxsize = maxsize;
    const waiter = region.waiter as NonNullable<SharedRegion['waiter']>;
    this.#room = new WordSignal(this.#words, ROOM, ROOM_SLEEPERS, waiter);
    this.#done = new WordSignal(this.#words, DONE, DONE_SLEEPERS, waiter);
    opened.set(region.id, new WeakRef(this));
  }

  /**
   * A new ring queue, or undefined where rings cannot be had (no native addon, or a Node that refuses
   * its memory): the caller then uses the main process's broker.
   */
  static create(maxsize: number): RingQueue | undefined {
    if (!nativeAddonForNewObjects()) return undefined;
    const region = allocateRegion(ringRegionBytes(RING_BYTES), 'process');
    return region.memory ? new RingQueue(region, maxsize) : undefined;
  }

  /**
   * The ring queue a descriptor names, in this process.
   * @throws InvalidStateError when its memory cannot be reached any more (see `openRegion`).
   */
  static open(descriptor: RingQueueDescriptor): RingQueue {
    const region = openRegion(descriptor.region);
    return opened.get(region.id)?.deref() ?? new RingQueue(region, descriptor.maxsize);
  }

  descriptor(): RingQueueDescriptor {
    return { region: this.#region.descriptor(), maxsize: this.#maxsize };
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
      encoded = encodeItem(item, 'the item', this.#ring.maxMessageBytes);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#reserve()) return this.#send(encoded);
    if (timeout === 0) return Promise.reject(new Full('the queue is full'));
    const reserve = () => {
      if (owner.closed) throw closedError();
      return this.#reserve() ? true : undefined;
    };
    return this.#room.wait(reserve, timeout).then((reserved) => {
      if (!reserved) throw new Full('the queue is full');
      return this.#send(encoded);
    });
  }

  /**
   * Takes the first item, waiting up to `timeout` ms (0: not at all) for one.
   * @returns a Promise that rejects with Empty when none came in time, QueueClosedError when `owner`
   *   is closed meanwhile.
   */
  get(timeout: number | undefined, owner: QueueOwner): Promise<unknown> {
    if (this.#getters.size === 0) {
      const message = this.#ring.tryRead();
      if (message) return this.#received(message);
    }
    if (timeout === 0) return Promise.reject(new Empty('the queue is empty'));
    return new Promise((resolve, reject) => {
      const getter: Getter = { owner, resolve, reject, timer: undefined };
      if (timeout !== undefined) {
        getter.timer = setTimeout(() => {
          this.#getters.delete(getter);
          reject(new Empty('the queue is empty'));
        }, timeout);
      }
      this.#getters.add(getter);
      void this.#serveGetters();
    });
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
    for (const getter of this.#getters) {
      if (getter.owner !== owner) continue;
      this.#getters.delete(getter);
      clearTimeout(getter.timer);
      getter.reject(closedError());
    }
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

  /** Gives back a slot taken for an item that was not put after all. */
  #unreserve(): void {
    Atomics.sub(this.#words, COUNT, 1);
    Atomics.sub(this.#words, UNFINISHED, 1);
    if (this.#maxsize > 0) this.#room.notify();
  }

  #send(encoded: ReturnType<typeof encodeItem>): Promise<void> {
    Atomics.add(this.#words, UNFINISHED, 1);
    if ('bytes' in encoded) {
      this.#write(encoded.bytes);
      return RESOLVED;
    }
    const id = newId();
    const stored = invoke(PARCELS_ID, 'store', [id, encoded.parcel], { write: true });
    this.#write(stored.then(() => parcelMarker(id)));
    return stored.then(
      () => undefined,
      (error: unknown) => {
        this.#unreserve();
        throw error;
      },
    );
  }

  /**
   * Writes now when nothing of this process waits before it and the ring has room; else holds it for
   * the feeder. Held items that fit are written first, here: a producer whose loop awaits nothing but
   * its puts keeps the event loop from running the feeder until the loop ends.
   */
  #write(outgoing: Outgoing): void {
    const pending = this.#pending;
    for (let head = pending.peek(); head instanceof Uint8Array && !this.#handedOff; head = pending.peek()) {
      if (!this.#ring.tryWrite(head)) break;
      pending.shift();
    }
    if (pending.length === 0 && outgoing instanceof Uint8Array && this.#ring.tryWrite(outgoing)) return;
    pending.push(outgoing);
    if (!feeding.has(this)) void this.#feed();
  }

  /** The feeder: writes the held items in order as room appears. */
  async #feed(): Promise<void> {
    feeding.add(this);
    try {
      while (this.#pending.length > 0 && !this.#handedOff) {
        const head = this.#pending.peek() as Outgoing;
        let message: Uint8Array;
        try {
          message = head instanceof Uint8Array ? head : await head;
        } catch {
          this.#pending.shift(); // its put() rejected, and gave its slot back
          continue;
        }
        const ring = this.#ring;
        const attempt = () => {
          if (this.#handedOff) return false;
          return ring.tryWrite(message) ? true : undefined;
        };
        const written = await ring.writable.wait(attempt, SLICE_MS);
        if (this.#handedOff) return;
        if (written) this.#pending.shift();
      }
    } finally {
      feeding.delete(this);
    }
  }

  /** The loop that serves this process's waiting gets, first come first served. */
  async #serveGetters(): Promise<void> {
    if (this.#serving) return;
    this.#serving = true;
    const ring = this.#ring;
    const getters = this.#getters;
    try {
      while (getters.size > 0) {
        // Reads happen here, synchronously, so a message is never taken for a get that left meanwhile.
        for (let message = ring.tryRead(); message; message = getters.size > 0 ? ring.tryRead() : undefined) {
          const getter = getters.values().next().value as Getter;
          getters.delete(getter);
          clearTimeout(getter.timer);
          this.#received(message).then(getter.resolve, getter.reject);
        }
        if (getters.size === 0) break;
        await ring.readable.wait(
          () => (getters.size === 0 || ring.hasMessage() ? true : undefined),
          SLICE_MS,
        );
      }
    } finally {
      this.#serving = false;
    }
  }

  /** An item read from the ring: its slot is free, and a parcel is fetched. */
  #received(message: Uint8Array): Promise<unknown> {
    Atomics.sub(this.#words, COUNT, 1);
    if (this.#maxsize > 0) this.#room.notify();
    try {
      const decoded = decodeItem(message);
      if ('value' in decoded) return Promise.resolve(decoded.value);
      return invoke(PARCELS_ID, 'take', [decoded.parcelId]);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sends what the feeder still holds to the main process, which feeds it on (see `handOffFeeders`);
   * from now on this process's feeder writes nothing more.
   */
  async handOff(): Promise<void> {
    this.#handedOff = true;
    const messages: Uint8Array[] = [];
    for (let head = this.#pending.shift(); head !== undefined; head = this.#pending.shift()) {
      try {
        messages.push(head instanceof Uint8Array ? head : await head);
      } catch {
        // its put() rejected, and gave its slot back
      }
    }
    if (messages.length > 0) {
      await invoke(HANDOFF_ID, 'adopt', [this.descriptor(), messages], { write: true });
    }
  }

  /** Items handed off by an exiting process: fed from here, after what this process holds. */
  adopt(messages: readonly Uint8Array[]): void {
    for (const message of messages) this.#write(message);
  }
}

/** The main process's side of a hand-off: the ring queue is opened here and fed on. */
const HANDOFF_ID = 'ring-queue-handoff';
addObject(HANDOFF_ID, {
  isWrite: () => true,
  invoke(_method, args) {
    const [descriptor, messages] = args as [RingQueueDescriptor, Uint8Array[]];
    RingQueue.open(descriptor).adopt(messages);
    return undefined;
  },
});

/**
 * Before a worker exits: what its feeders still hold (a ring that was full) goes to the main process,
 * so an item put just before the exit is not lost and the exit waits for no reader. The caller then
 * waits for these calls to be answered (`ParentLink.settleWrites`).
 */
async function handOffFeeders(): Promise<void> {
  await Promise.all([...feeding].map((queue) => queue.handOff()));
}

beforeWorkerExit(handOffFeeders);
