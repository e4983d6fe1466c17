/**
 * One direction of traffic on a ring in shared memory, as one process sees it: what Queues and Pipe
 * ends are built on (ring-queue.ts, ring-pipe.ts). One RingChannel per process and ring serves every
 * handle on it there.
 *
 * Sending: a message that finds room in the ring is written there at once; there is no round trip.
 * When the ring is full, messages wait in this process, in order, and a feeder writes them as room
 * appears (Python's feeder thread); a worker that exits hands what its feeder still holds to the main
 * process, which feeds it on, so nothing sent is lost and no exit waits for a reader. A message the
 * ring cannot carry as bytes (see item-codec.ts) is kept by the main process as a parcel, and a marker
 * takes its place in the ring.
 *
 * Receiving: this process's waiting receives are served in order by one loop, so a process sleeps on
 * the ring once however many of its receives wait.
 */
import { Buffer } from 'node:buffer';
import { Deque } from '../broker/deque.js';
import { newId } from '../broker/handle.js';
import { invoke } from '../broker/invoke.js';
import { PARCELS_ID } from '../broker/parcel-core.js';
import { addObject } from '../broker/registry.js';
import { beforeWorkerExit } from '../child/parent-link.js';
import { nativeAddonForNewObjects } from '../shared/native-addon.js';
import {
  allocateRegion,
  openRegion,
  type RegionDescriptor,
  type SharedRegion,
} from '../shared/shared-memory.js';
import { ByteRing, ringRegionBytes } from './byte-ring.js';
import { decodeItem, type EncodedItem, parcelMarker, readTarget } from './item-codec.js';
import { SLICE_MS } from './word-signal.js';

/**
 * Data bytes of a channel's ring. Python's pipe holds 64 KiB before its writer waits; a larger ring
 * lets a burst of puts return at once. Larger items travel as parcels (they are large enough for the
 * main process's staging of big buffers to pay).
 */
export const RING_BYTES = 256 * 1024;

/**
 * A new region for a ring, or undefined where rings cannot be had (no native addon, or a Node that
 * refuses its memory): the caller then uses the main process's broker.
 */
export function allocateRing(): SharedRegion | undefined {
  if (!nativeAddonForNewObjects()) return undefined;
  const region = allocateRegion(ringRegionBytes(RING_BYTES), 'process');
  return region.memory ? region : undefined;
}

/** The handle a receive comes from: its close() ends its own waiting receives. */
export interface ChannelOwner {
  readonly closed: boolean;
}

/** What a receive takes, and how it fails besides its timeout. */
export interface ReceiveRules {
  /** Whether a message with this first byte (its tag) is for this receive; default: every one. */
  readonly accept?: (tag: number) => boolean;
  /** The error for a message `accept` refused (the message stays for another receive). */
  readonly refused?: () => Error;
  /** The error when nothing more can come (the sending end closed), once the ring is empty. */
  readonly ended?: () => Error | undefined;
  /** The error when the wait ran out of time. */
  readonly timedOut: () => Error;
}

interface Receiver {
  readonly owner: ChannelOwner;
  readonly rules: ReceiveRules;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** A message for the ring, or the promise of a parcel's marker (the parcel is being stored). */
type Outgoing = Uint8Array | Promise<Uint8Array>;

const RESOLVED = Promise.resolve();

/** The channels of this process by region id, so every handle on one ring shares its state. */
const opened = new Map<string, WeakRef<RingChannel>>();
/** Channels whose feeder holds messages now: they are handed off when the worker exits. */
const feeding = new Set<RingChannel>();

export class RingChannel {
  readonly region: SharedRegion;
  readonly ring: ByteRing;
  readonly #pending = new Deque<Outgoing>();
  readonly #receivers = new Set<Receiver>();
  #serving = false;
  /** Set when this process hands its held messages to the main process: its feeder stops. */
  #handedOff = false;
  /** Callers of `flushed()`, resolved when the feeder ends. */
  #flushWaiters: (() => void)[] = [];
  /** Called for every message this process takes off the ring (a queue's count). */
  #onReceived: (() => void) | undefined;

  private constructor(region: SharedRegion) {
    this.region = region;
    this.ring = new ByteRing(region);
    opened.set(region.id, new WeakRef(this));
  }

  /** The channel on `region` in this process (made on first use). */
  static on(region: SharedRegion): RingChannel {
    return opened.get(region.id)?.deref() ?? new RingChannel(region);
  }

  /**
   * The channel on the region a descriptor names, in this process.
   * @throws InvalidStateError when its memory cannot be reached any more (see `openRegion`).
   */
  static open(descriptor: RegionDescriptor): RingChannel {
    return RingChannel.on(openRegion(descriptor));
  }

  /** Sets what runs for every message this process takes off the ring. */
  onReceived(hook: () => void): void {
    this.#onReceived = hook;
  }

  /**
   * Sends an encoded message: written at once when the ring has room and nothing of this process
   * waits before it, else held and fed in order.
   * @returns a Promise that settles when a parcel is stored (at once for bytes); it rejects when the
   *   parcel could not be stored, and that message is not sent.
   */
  send(encoded: EncodedItem): Promise<void> {
    if (!('parcel' in encoded)) {
      this.#write(encoded.bytes);
      return RESOLVED;
    }
    const id = newId();
    const isBytes = encoded.bytes === true;
    // Bytes are this process's own copy already (see ring-pipe.ts): the store keeps them as they are.
    const stored = invoke(PARCELS_ID, 'store', [id, encoded.parcel, isBytes], { write: true });
    this.#write(stored.then(() => parcelMarker(id, isBytes)));
    return stored.then(() => undefined);
  }

  /** Resolves once this process holds no message for the ring (at once when it holds none). */
  flushed(): Promise<void> {
    if (!feeding.has(this)) return RESOLVED;
    return new Promise((resolve) => this.#flushWaiters.push(resolve));
  }

  /**
   * Takes the next message for `rules`, waiting up to `timeout` ms (0: not at all) for one.
   * @returns a Promise of the decoded message, rejecting with the errors of `rules`.
   */
  receive(timeout: number | undefined, owner: ChannelOwner, rules: ReceiveRules): Promise<unknown> {
    if (this.#receivers.size === 0) {
      const message = this.#read(rules);
      if (message === false) return Promise.reject((rules.refused as () => Error)());
      if (message) return this.#received(message);
      const ended = this.#ended(rules);
      if (ended) return Promise.reject(ended);
    }
    if (timeout === 0) return Promise.reject(rules.timedOut());
    return new Promise((resolve, reject) => {
      const receiver: Receiver = { owner, rules, resolve, reject, timer: undefined };
      if (timeout !== undefined) {
        receiver.timer = setTimeout(() => this.#settle(receiver, undefined, rules.timedOut()), timeout);
      }
      this.#receivers.add(receiver);
      void this.#serve();
    });
  }

  /** Rejects the waiting receives of `owner` with `error`. */
  withdraw(owner: ChannelOwner, error: () => Error): void {
    for (const receiver of this.#receivers) {
      if (receiver.owner === owner) this.#settle(receiver, undefined, error());
    }
  }

  /**
   * Wakes the receive loops sleeping on the ring, in every process, to look again: a flag changed
   * (an end closed), or this process has nobody left to serve.
   */
  wake(): void {
    this.ring.readable.notifyAll();
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
        // its parcel was not stored: its send rejected
      }
    }
    if (messages.length > 0) {
      await invoke(HANDOFF_ID, 'adopt', [this.region.descriptor(), messages], { write: true });
    }
  }

  /** Messages handed off by an exiting worker: fed from here, after what this process holds. */
  adopt(messages: readonly Uint8Array[]): void {
    for (const message of messages) this.#write(message);
  }

  /**
   * Writes now when nothing of this process waits before it and the ring has room; else holds it for
   * the feeder. Held messages that fit are written first, here: a producer whose loop awaits nothing
   * but its sends keeps the event loop from running the feeder until the loop ends.
   */
  #write(outgoing: Outgoing): void {
    const pending = this.#pending;
    for (let head = pending.peek(); head instanceof Uint8Array && !this.#handedOff; head = pending.peek()) {
      if (!this.ring.tryWrite(head)) break;
      pending.shift();
    }
    if (pending.length === 0 && outgoing instanceof Uint8Array && this.ring.tryWrite(outgoing)) return;
    // An encoding's bytes may be a view that the next encoding reuses (see item-codec.ts).
    pending.push(outgoing instanceof Uint8Array ? Buffer.from(outgoing) : outgoing);
    if (!feeding.has(this)) void this.#feed();
  }

  /** The feeder: writes the held messages in order as room appears. */
  async #feed(): Promise<void> {
    feeding.add(this);
    const ring = this.ring;
    try {
      while (this.#pending.length > 0 && !this.#handedOff) {
        const head = this.#pending.peek() as Outgoing;
        let message: Uint8Array;
        try {
          message = head instanceof Uint8Array ? head : await head;
        } catch {
          this.#pending.shift(); // its parcel was not stored: its send rejected
          continue;
        }
        const attempt = () => {
          // A send may have written the head itself meanwhile (see #write): then look again.
          if (this.#handedOff || this.#pending.peek() !== head) return false;
          return ring.tryWrite(message) ? true : undefined;
        };
        const written = await ring.writable.wait(attempt, SLICE_MS);
        if (this.#handedOff) return;
        if (written) this.#pending.shift();
      }
    } finally {
      feeding.delete(this);
      const waiters = this.#flushWaiters;
      this.#flushWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** The loop that serves this process's waiting receives, first come first served. */
  async #serve(): Promise<void> {
    if (this.#serving) return;
    this.#serving = true;
    const ring = this.ring;
    const receivers = this.#receivers;
    try {
      while (receivers.size > 0) {
        // Reads happen here, synchronously, so a message is never taken for a receive that left.
        this.#serveNow();
        if (receivers.size === 0) break;
        // Closing an end, or the last receive leaving, wakes the ring (see `wake`).
        const endedFor = (receiver: Receiver) => this.#ended(receiver.rules) !== undefined;
        await ring.readable.wait(() => {
          if (receivers.size === 0 || ring.hasMessage()) return true;
          for (const receiver of receivers) if (endedFor(receiver)) return true;
          return undefined; // (no array per attempt: the poll calls this in a tight loop)
        });
        for (const receiver of receivers) {
          const ended = this.#ended(receiver.rules);
          if (ended) this.#settle(receiver, undefined, ended);
        }
      }
    } finally {
      this.#serving = false;
    }
  }

  /** Hands the messages in the ring now to the waiting receives, in order. */
  #serveNow(): void {
    for (const receiver of this.#receivers) {
      const message = this.#read(receiver.rules);
      if (message === undefined) return;
      if (message === false) this.#settle(receiver, undefined, (receiver.rules.refused as () => Error)());
      else this.#settle(receiver, this.#received(message), undefined);
    }
  }

  /**
   * Takes the next message for `rules` off the ring, to be decoded at once (see `readTarget`); false
   * when `rules` refuse it.
   */
  #read(rules: ReceiveRules): Buffer | undefined | false {
    const accept = rules.accept;
    const target = accept
      ? (tag: number, length: number) => accept(tag) && readTarget(tag, length)
      : readTarget;
    return this.ring.tryRead(target);
  }

  #settle(receiver: Receiver, value: Promise<unknown> | undefined, error: Error | undefined): void {
    this.#receivers.delete(receiver);
    clearTimeout(receiver.timer);
    if (error) receiver.reject(error);
    else (value as Promise<unknown>).then(receiver.resolve, receiver.reject);
    // The receive loop may sleep with nobody left to serve (a timeout, a close): end its sleep, so
    // that it does not keep this process alive.
    if (this.#receivers.size === 0 && this.#serving && !value) this.wake();
  }

  /** The rules' end-of-stream error when nothing can come any more and the ring is empty. */
  #ended(rules: ReceiveRules): Error | undefined {
    const ended = rules.ended?.();
    return ended && !this.ring.hasMessage() ? ended : undefined;
  }

  /** A message read from the ring, decoded; a parcel is fetched. */
  #received(message: Buffer): Promise<unknown> {
    this.#onReceived?.();
    try {
      const decoded = decodeItem(message);
      if ('value' in decoded) return Promise.resolve(decoded.value);
      return invoke(PARCELS_ID, 'take', [decoded.parcelId]);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

/** The main process's side of a hand-off: the ring is opened here and fed on. */
const HANDOFF_ID = 'ring-handoff';
addObject(HANDOFF_ID, {
  isWrite: () => true,
  invoke(_method, args) {
    const [descriptor, messages] = args as [RegionDescriptor, Uint8Array[]];
    RingChannel.open(descriptor).adopt(messages);
    return undefined;
  },
});

/**
 * Before a worker exits: what its feeders still hold (a ring that was full) goes to the main process,
 * so a message sent just before the exit is not lost and the exit waits for no reader. The worker then
 * waits for these calls to be answered (`ParentLink.settleWrites`).
 */
async function handOffFeeders(): Promise<void> {
  await Promise.all([...feeding].map((channel) => channel.handOff()));
}

beforeWorkerExit(handOffFeeders);
