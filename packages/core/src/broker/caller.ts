/**
 * The parent's side of one worker's calls: a WorkerSlot or a Process opens a Caller for its worker
 * and hands it every `mproc:call` message. In the main process the Caller runs the call on the
 * broker object and replies on the same channel; in a worker (whose child made the call) it forwards
 * the call to its own parent. When the worker ends, `close()` withdraws its waiting calls, so an item
 * is never handed to a worker that is gone.
 */

import { BROKER_ID, type ParentLink, parentLink } from '../child/parent-link.js';
import { SerializationError } from '../errors.js';
import { isMainProcess } from '../process-info.js';
import { type CallMessage, MESSAGE_TYPE, type ReplyMessage } from '../protocol/messages.js';
import { carriesStagedBytes } from '../serialize/byte-staging.js';
import { serializeError } from '../serialize/error-codec.js';
import { incoming, outgoingValue } from '../serialize/payload.js';
import { StagedBytes } from '../serialize/staged-bytes.js';
import { whyUnsendable } from '../serialize/unclonable-path.js';
import type { TransferListItem } from '../transfer-list-item.js';
import { Call } from './call.js';
import { dispatch, isWriteCall } from './invoke.js';

export interface CallerChannel {
  send(message: ReplyMessage, transfer: readonly TransferListItem[]): void;
  /** Whether the calling worker still lives, where its exit is not reported (see Call). */
  readonly isAlive?: () => boolean;
}

export interface Caller {
  /** Takes one call from the worker. */
  receive(message: CallMessage): void;
  /** The worker has ended: its waiting calls are withdrawn, and no reply is sent any more. */
  close(): void;
}

/** The Caller for one worker's channel, for this process's place in the tree. */
export function openCaller(channel: CallerChannel): Caller {
  if (isMainProcess()) return new BrokerCaller(channel);
  const link = parentLink();
  return link ? new ForwardingCaller(channel, link) : new BrokerCaller(channel);
}

/**
 * A Caller that runs the calls on this process's own broker objects, wherever it is: a Manager's
 * server keeps its objects in its own thread (manager/server/).
 */
export function openBrokerCaller(channel: CallerChannel): Caller {
  return new BrokerCaller(channel);
}

function cancelledIds(message: CallMessage): number[] | undefined {
  if (message.objectId !== BROKER_ID || message.method !== 'cancel') return undefined;
  return message.args[0] as number[];
}

/** Runs a worker's calls on the broker objects of this, the main, process. */
class BrokerCaller implements Caller {
  readonly #channel: CallerChannel;
  /** Calls that wait (a blocked get, recv, acquire...), by callId. */
  readonly #waiting = new Map<number, Call>();
  /** A process channel hands bytes staged by Connection.sendBytes on as they are (byte-staging.ts). */
  readonly #carriesStaged: boolean;
  #closed = false;

  constructor(channel: CallerChannel) {
    this.#channel = channel;
    this.#carriesStaged = carriesStagedBytes(channel);
  }

  receive(message: CallMessage): void {
    const cancelled = cancelledIds(message);
    if (cancelled) {
      for (const callId of cancelled) {
        this.#waiting.get(callId)?.abandon();
        this.#waiting.delete(callId);
      }
      return;
    }
    // A message read after the worker's exit: changes of state still happen, nothing is handed out.
    if (this.#closed && !isWriteCall(message.objectId, message.method)) return;
    const call = new Call(false, message.token, this.#closed, this.#channel.isAlive);
    let result: unknown;
    try {
      result = dispatch(message.objectId, message.method, incoming(message.args, message.revive), call);
    } catch (error) {
      this.#fail(message.callId, error);
      return;
    }
    if (!(result instanceof Promise)) {
      this.#succeed(message.callId, result);
      return;
    }
    const { callId } = message;
    this.#waiting.set(callId, call);
    result.then(
      (value) => {
        this.#waiting.delete(callId);
        this.#succeed(callId, value);
      },
      (error: unknown) => {
        this.#waiting.delete(callId);
        this.#fail(callId, error);
      },
    );
  }

  close(): void {
    this.#closed = true;
    for (const call of this.#waiting.values()) call.abandon();
    this.#waiting.clear();
  }

  #succeed(callId: number, result: unknown): void {
    if (this.#closed) {
      if (result instanceof StagedBytes) result.release();
      return;
    }
    const raw = result instanceof StagedBytes && !this.#carriesStaged ? result.take() : result;
    const { value, transfer, revive } = outgoingValue(raw);
    try {
      this.#channel.send({ type: MESSAGE_TYPE.reply, callId, ok: true, value, revive }, transfer);
    } catch (error) {
      const path = whyUnsendable(value, 'result', error);
      this.#fail(callId, new SerializationError(`cannot send the result back: ${path}`, { cause: error }));
    }
  }

  #fail(callId: number, error: unknown): void {
    if (this.#closed) return;
    try {
      this.#channel.send({ type: MESSAGE_TYPE.reply, callId, ok: false, error: serializeError(error) }, []);
    } catch {
      // The worker is gone: its exit is reported on its own.
    }
  }
}

/** Passes a child's calls up to this worker's parent, and the replies back down. */
class ForwardingCaller implements Caller {
  readonly #channel: CallerChannel;
  readonly #link: ParentLink;
  /** The child's callId → the callId used on the link, for calls not answered yet. */
  readonly #forwarded = new Map<number, number>();
  #closed = false;

  constructor(channel: CallerChannel, link: ParentLink) {
    this.#channel = channel;
    this.#link = link;
  }

  receive(message: CallMessage): void {
    if (this.#closed) return;
    const cancelled = cancelledIds(message);
    if (cancelled) {
      const ids = cancelled.flatMap((callId) => this.#forwarded.get(callId) ?? []);
      for (const callId of cancelled) this.#forwarded.delete(callId);
      this.#link.cancel(ids);
      return;
    }
    const childCallId = message.callId;
    const linkCallId = this.#link.forward(message, (reply) => {
      this.#forwarded.delete(childCallId);
      if (this.#closed) return;
      try {
        this.#channel.send({ ...reply, callId: childCallId }, []);
      } catch {
        // The child is gone: its exit is reported on its own.
      }
    });
    this.#forwarded.set(childCallId, linkCallId);
  }

  close(): void {
    this.#closed = true;
    this.#link.cancel([...this.#forwarded.values()]);
    this.#forwarded.clear();
  }
}
