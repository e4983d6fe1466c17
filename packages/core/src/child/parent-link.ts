/**
 * A worker's calls to the broker objects of the main process (Queue, Pipe ends, Manager proxies),
 * over the channel the worker already has to its parent. Each call gets a reply with the same
 * `callId`; replies are taken as they arrive, not behind the running task, which is usually the one
 * awaiting them. A worker whose parent is itself a worker has its calls forwarded (`broker/caller.ts`).
 *
 * The link is kept on globalThis under a `Symbol.for` key, so every copy of this package loaded in
 * the worker (the worker loop's, a task module's) uses the one that `serve()` installed.
 */

import { SerializationError } from '../errors.js';
import { type CallMessage, MESSAGE_TYPE, type ReplyMessage } from '../protocol/messages.js';
import { deserializeError, serializeError } from '../serialize/error-codec.js';
import { incoming, outgoingList } from '../serialize/payload.js';
import { whyUnsendable } from '../serialize/unclonable-path.js';
import type { TransferListItem } from '../transfer-list-item.js';

/** The broker's own id: calls that are not addressed to an object (create, cancel). */
export const BROKER_ID = '';

export type LinkSend = (message: CallMessage, transfer: readonly TransferListItem[]) => void;

export interface CallOptions {
  /** The calling handle (see CallMessage.token). */
  readonly token?: string;
  /** The call only changes state: a Process's child waits for it before it exits. */
  readonly write?: boolean;
}

type Settle = (reply: ReplyMessage) => void;

/** Work a worker finishes before it exits, registered by the objects that need it. */
const exitHooks = new Set<() => Promise<void>>();

/**
 * Registers `hook` to run before this worker exits, before its last writes are awaited (e.g. a
 * queue's feeder handing its held items to the main process).
 */
export function beforeWorkerExit(hook: () => Promise<void>): void {
  exitHooks.add(hook);
}

export class ParentLink {
  readonly #send: LinkSend;
  readonly #pending = new Map<number, Settle>();
  readonly #writes = new Set<Promise<unknown>>();
  #nextCallId = 1;

  constructor(send: LinkSend) {
    this.#send = send;
  }

  /**
   * Calls `method` of the object `objectId` in the main process; resolves with its result.
   * Rejects with the error it threw there, or with SerializationError when an argument cannot be sent.
   */
  call(
    objectId: string,
    method: string,
    args: readonly unknown[],
    options: CallOptions = {},
  ): Promise<unknown> {
    const outgoing = outgoingList(args);
    const callId = this.#nextCallId++;
    const answered = new Promise<unknown>((resolve, reject) => {
      try {
        this.#send(
          {
            type: MESSAGE_TYPE.call,
            callId,
            objectId,
            method,
            args: outgoing.value,
            revive: outgoing.revive,
            token: options.token,
          },
          outgoing.transfer,
        );
      } catch (error) {
        const path = whyUnsendable(outgoing.value, 'args', error);
        reject(new SerializationError(`${method}(): cannot send the arguments: ${path}`, { cause: error }));
        return;
      }
      this.#pending.set(callId, (reply) => {
        if (!reply.ok) reject(deserializeError(reply.error));
        else if (!reply.revive) resolve(reply.value);
        else {
          try {
            resolve(incoming(reply.value, true));
          } catch (error) {
            reject(error);
          }
        }
      });
    });
    if (options.write) {
      this.#writes.add(answered);
      const forget = () => this.#writes.delete(answered);
      answered.then(forget, forget);
    }
    return answered;
  }

  /**
   * Sends a call that came from a child of this worker on to the main process, unchanged but for its
   * callId; `onReply` gets the reply as it came. Returns the callId used here, for `cancel`.
   */
  forward(message: CallMessage, onReply: Settle): number {
    const callId = this.#nextCallId++;
    this.#pending.set(callId, onReply);
    this.#send({ ...message, callId }, []);
    return callId;
  }

  /** Withdraws calls made here (their caller is gone): their replies are ignored, their waits dropped. */
  cancel(callIds: readonly number[]): void {
    if (callIds.length === 0) return;
    for (const callId of callIds) this.#pending.delete(callId);
    const callId = this.#nextCallId++;
    this.#send(
      {
        type: MESSAGE_TYPE.call,
        callId,
        objectId: BROKER_ID,
        method: 'cancel',
        args: [callIds],
        revive: false,
      },
      [],
    );
  }

  /** How many calls wait for their reply. */
  get waiting(): number {
    return this.#pending.size;
  }

  /** Fails every call that waits for its reply: no reply will come (the other side is gone). */
  failAll(error: Error): void {
    const settles = [...this.#pending.values()];
    this.#pending.clear();
    const reply = { type: MESSAGE_TYPE.reply, callId: 0, ok: false, error: serializeError(error) } as const;
    for (const settle of settles) settle(reply);
  }

  /** Takes one reply from the parent. */
  receive(reply: ReplyMessage): void {
    const settle = this.#pending.get(reply.callId);
    if (!settle) return; // cancelled, or the answer to a cancel
    this.#pending.delete(reply.callId);
    settle(reply);
  }

  /**
   * Runs the exit hooks, then resolves once every call that only changes state (put, send, close...)
   * has been answered, so a Process's child that did not await its last `put` still delivers it
   * before it exits, as Python's queue feeder thread is flushed at exit.
   */
  async settleWrites(): Promise<void> {
    for (const hook of exitHooks) await hook();
    while (this.#writes.size > 0) await Promise.allSettled([...this.#writes]);
  }
}

const LINK = Symbol.for('mproc.parent-link');

type WithLink = Record<symbol, ParentLink | undefined>;

/** Called by `serve()`: this worker's calls go over `send`. */
export function installParentLink(send: LinkSend): ParentLink {
  const link = new ParentLink(send);
  (globalThis as unknown as WithLink)[LINK] = link;
  return link;
}

/** The link of this worker; undefined in the main process and outside mproc workers. */
export function parentLink(): ParentLink | undefined {
  return (globalThis as unknown as WithLink)[LINK];
}
