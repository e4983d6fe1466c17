/**
 * Where a Queue, SimpleQueue or JoinableQueue handle sends its calls: to a ring in shared memory that
 * every process reads and writes itself (channels/ring-queue.ts), or, where rings cannot be had (no
 * native addon) and for a Manager's queues, to the queue object the main process keeps (broker/).
 * The handles' classes keep Python's API and checks; this keeps the choice in one place.
 */
import type { ObjectKind } from '../broker/create.js';
import type { Origin } from '../broker/handle.js';
import { create } from '../broker/invoke.js';
import { RingQueue, type RingQueueDescriptor } from '../channels/ring-queue.js';
import type { CallOptions } from '../child/parent-link.js';

/** A call of the handle's broker object (`BrokerHandle.invoke`). */
export type BrokerCall = (
  method: string,
  args?: readonly unknown[],
  options?: CallOptions,
) => Promise<unknown>;

const nothing = () => undefined;

export class QueueTransport {
  readonly #ring: RingQueue | undefined;
  readonly #call: BrokerCall;
  readonly #token: string;
  readonly #owner = { closed: false };

  private constructor(ring: RingQueue | undefined, call: BrokerCall, token: string) {
    this.#ring = ring;
    this.#call = call;
    this.#token = token;
  }

  /**
   * The transport of the handle `id` of `kind` built under `origin`: a handle rebuilt from a
   * descriptor goes where the descriptor says; a new one gets a new ring, or, for a Manager's queue or
   * where no ring can be had, a new object in the main process that `call` reaches.
   * @throws InvalidStateError when a descriptor's ring cannot be reached any more.
   */
  static open(
    kind: ObjectKind,
    id: string,
    origin: Origin,
    maxsize: number,
    call: BrokerCall,
    token: string,
  ): QueueTransport {
    if (origin.attachTo !== undefined) {
      const ring = origin.descriptor?.ring as RingQueueDescriptor | undefined;
      return new QueueTransport(ring && RingQueue.open(ring), call, token);
    }
    const ring = origin.managerId === undefined ? RingQueue.create(maxsize) : undefined;
    if (!ring) create(kind, id, { maxsize }, origin.managerId);
    return new QueueTransport(ring, call, token);
  }

  /** True once `close()` was called on this handle. */
  get closed(): boolean {
    return this.#owner.closed;
  }

  /** What the handle's descriptor carries for the transport. */
  describe(): { ring?: RingQueueDescriptor } {
    return this.#ring ? { ring: this.#ring.descriptor() } : {};
  }

  put(item: unknown, timeout: number | undefined): Promise<void> {
    if (this.#ring) return this.#ring.put(item, timeout, this.#owner);
    return this.#call('put', [item, timeout], { token: this.#token, write: true }).then(nothing);
  }

  get(timeout: number | undefined): Promise<unknown> {
    if (this.#ring) return this.#ring.get(timeout, this.#owner);
    return this.#call('get', [timeout], { token: this.#token });
  }

  async qsize(): Promise<number> {
    return this.#ring ? this.#ring.qsize() : ((await this.#call('qsize')) as number);
  }

  async empty(): Promise<boolean> {
    return this.#ring ? this.#ring.qsize() === 0 : ((await this.#call('empty')) as boolean);
  }

  async full(): Promise<boolean> {
    return this.#ring ? this.#ring.full() : ((await this.#call('full')) as boolean);
  }

  /** Closes the handle: its waiting calls fail with QueueClosedError. */
  async close(): Promise<void> {
    this.#owner.closed = true;
    if (this.#ring) this.#ring.closed(this.#owner);
    else await this.#call('close', [], { token: this.#token, write: true });
  }

  async taskDone(): Promise<void> {
    if (this.#ring) this.#ring.taskDone();
    else await this.#call('taskDone', [], { write: true });
  }

  async join(): Promise<void> {
    if (this.#ring) await this.#ring.join(this.#owner);
    else await this.#call('join', [], { token: this.#token });
  }
}
