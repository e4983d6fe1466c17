/**
 * The state of one Queue, SimpleQueue or JoinableQueue, kept in the main process: its items, the
 * calls waiting to get (when it is empty) or to put (when it is full), and, for a JoinableQueue, the
 * count of items not yet marked done. An item put while a `get` waits goes straight to the first
 * waiter, so items leave in the order they came and each one to exactly one caller.
 */
import { Empty, Full, MprocRangeError, MprocTypeError, QueueClosedError } from '../errors.js';
import type { Call } from './call.js';
import { Deque } from './deque.js';
import type { BrokerObject } from './registry.js';
import { WaitQueue } from './wait-queue.js';

export type QueueKind = 'queue' | 'simple-queue' | 'joinable-queue';

const WRITES = new Set(['put', 'close', 'taskDone']);

export class QueueCore implements BrokerObject {
  readonly #kind: QueueKind;
  /** 0 or less: no limit, as in Python. */
  readonly #maxsize: number;
  readonly #items = new Deque<unknown>();
  readonly #getters = new WaitQueue<unknown>();
  readonly #putters = new WaitQueue<void, unknown>();
  readonly #joiners = new WaitQueue<void>();
  /** Items put and not yet marked done with taskDone() (JoinableQueue). */
  #unfinished = 0;

  constructor(kind: QueueKind, maxsize: number) {
    this.#kind = kind;
    this.#maxsize = maxsize;
  }

  isWrite(method: string): boolean {
    return WRITES.has(method);
  }

  invoke(method: string, args: readonly unknown[], call: Call): unknown {
    switch (method) {
      case 'put':
        return this.#put(call.adopt(args[0], 'the item'), args[1] as number | undefined, call);
      case 'get':
        return this.#get(args[0] as number | undefined, call);
      case 'qsize':
        return this.#items.length;
      case 'empty':
        return this.#items.length === 0;
      case 'full':
        return this.#isFull();
      case 'close':
        return this.#closeHandle(call.token);
      case 'taskDone':
        if (this.#kind === 'joinable-queue') return this.#taskDone();
        break;
      case 'join':
        if (this.#kind === 'joinable-queue') return this.#join(call);
        break;
    }
    throw new MprocTypeError(`a ${this.#kind} has no method '${method}'`);
  }

  dispose(error: Error): void {
    this.#getters.rejectWhere(() => error);
    this.#putters.rejectWhere(() => error);
    this.#joiners.rejectWhere(() => error);
    this.#items.clear();
  }

  #isFull(): boolean {
    return this.#maxsize > 0 && this.#items.length >= this.#maxsize;
  }

  #put(item: unknown, timeout: number | undefined, call: Call): void | Promise<void> {
    if (!this.#isFull()) {
      this.#enqueue(item);
      return;
    }
    return this.#putters.wait(call, timeout, () => new Full('the queue is full'), item);
  }

  #enqueue(item: unknown): void {
    this.#unfinished++;
    // Items wait only while nobody gets, and getters only while there are no items.
    const getter = this.#getters.take();
    if (getter) getter.resolve(item);
    else this.#items.push(item);
  }

  #get(timeout: number | undefined, call: Call): unknown {
    if (this.#items.length > 0) {
      const item = this.#items.shift();
      this.#admitPutters();
      return item;
    }
    return this.#getters.wait(call, timeout, () => new Empty('the queue is empty'), undefined);
  }

  /** Lets blocked puts in while there is room. */
  #admitPutters(): void {
    while (!this.#isFull()) {
      const putter = this.#putters.take();
      if (!putter) return;
      this.#enqueue(putter.data);
      putter.resolve();
    }
  }

  /** A handle was closed: its waiting calls fail (the queue itself goes on for every other handle). */
  #closeHandle(token: string | undefined): void {
    if (token === undefined) return;
    const closed = () => new QueueClosedError('the queue was closed');
    const ofHandle = (waiter: { call: Call }) => waiter.call.token === token;
    this.#getters.rejectWhere(closed, ofHandle);
    this.#putters.rejectWhere(closed, ofHandle);
    this.#joiners.rejectWhere(closed, ofHandle);
  }

  #taskDone(): void {
    if (this.#unfinished <= 0) {
      throw new MprocRangeError(
        'taskDone() called more times than there were items put in the queue',
        'ERR_MPROC_TASK_DONE_TOO_MANY',
      );
    }
    this.#unfinished--;
    if (this.#unfinished === 0) this.#joiners.resolveAll();
  }

  #join(call: Call): void | Promise<void> {
    if (this.#unfinished === 0) return;
    return this.#joiners.wait(call, undefined, () => undefined, undefined);
  }
}
