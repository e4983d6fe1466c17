/**
 * A thread's calls to the objects of Manager servers (server.ts): each call is written into the
 * server's requests ring with this thread's reply ring, and its reply read from there. No call passes
 * through the main process's event loop, so proxies answer while the main thread computes.
 */
import { routeServedCalls } from '../../broker/invoke.js';
import { isServedManager, serverKey, serverRing } from '../../broker/served-id.js';
import { encodeItem } from '../../channels/item-codec.js';
import { allocateRing, type ReceiveRules, RingChannel } from '../../channels/ring-channel.js';
import { type CallOptions, ParentLink } from '../../child/parent-link.js';
import { InvalidStateError } from '../../errors.js';
import { type CallMessage, MESSAGE_TYPE, type ReplyMessage } from '../../protocol/messages.js';
import { serializeError } from '../../serialize/error-codec.js';
import type { RegionDescriptor } from '../../shared/shared-memory.js';
import { ownerId } from '../../sync/owner.js';
import { isShutDown, managerGone, whyStopped } from './server-state.js';

/**
 * What a server reads: the call and the id of the ring to reply on. A link's first request also says
 * who calls (its owner id, for liveness) and how to open that ring; later ones only name it.
 */
export type ServedRequest =
  | readonly [call: CallMessage, replyTo: string]
  | readonly [call: CallMessage, replyTo: string, owner: number, replyRing: RegionDescriptor];

const never = () => new InvalidStateError('a reply wait without a timeout timed out');

/** A call of a manager that is shut down: `shutdown()` again does nothing, as in Python; others fail. */
function afterShutdown(objectId: string, method: string, why = managerGone()): Promise<unknown> {
  return isServedManager(objectId) && method === 'shutdown' ? Promise.resolve() : Promise.reject(why);
}

class ServerLink {
  readonly requests: RingChannel;
  readonly #replies: RingChannel;
  readonly #link: ParentLink;
  readonly #rules: ReceiveRules;
  #receiving = false;
  /** A ChannelOwner for the reply ring: this link is never closed. */
  readonly closed = false;

  constructor(requests: RegionDescriptor) {
    this.requests = RingChannel.open(requests);
    const region = allocateRing();
    if (!region) throw new InvalidStateError('a Manager proxy needs shared memory, which this process lacks');
    this.#replies = RingChannel.on(region);
    const replyTo = region.descriptor();
    const owner = ownerId();
    let introduced = false;
    const max = this.requests.ring.maxMessageBytes;
    this.#link = new ParentLink((call) => {
      // The server reads a link's requests in the order they were sent: only the first introduces it.
      const request: ServedRequest = introduced ? [call, replyTo.id] : [call, replyTo.id, owner, replyTo];
      const encoded = encodeItem(request, 'the arguments', max); // throws (nothing sent) when it cannot be
      introduced = true;
      this.requests.send(encoded).catch((error: unknown) => {
        // A parcel (a value larger than the ring) could not be stored: the call fails with why.
        this.#link.receive({
          type: MESSAGE_TYPE.reply,
          callId: call.callId,
          ok: false,
          error: serializeError(error),
        });
      });
    });
    this.#rules = {
      ended: () => whyStopped(this.requests),
      timedOut: never,
    };
  }

  call(objectId: string, method: string, args: readonly unknown[], options: CallOptions): Promise<unknown> {
    if (isShutDown(this.requests)) {
      forgetServer(objectId);
      return afterShutdown(objectId, method, whyStopped(this.requests));
    }
    const answered = this.#link.call(objectId, method, args, options);
    void this.#receive();
    return answered;
  }

  /** Reads replies while calls wait for them; once the server has stopped, the rest fail. */
  async #receive(): Promise<void> {
    if (this.#receiving) return;
    this.#receiving = true;
    try {
      while (this.#link.waiting > 0) {
        try {
          this.#link.receive((await this.#replies.receive(undefined, this, this.#rules)) as ReplyMessage);
        } catch (error) {
          this.#link.failAll(error as Error);
        }
      }
    } finally {
      this.#receiving = false;
    }
  }
}

/** This thread's link to each server, by server key. */
const links = new Map<string, ServerLink>();
/**
 * Servers this thread knows are shut down. Their links are dropped, so their rings can be freed; a
 * later call fails at once instead of opening a ring whose descriptor may name other memory by now.
 */
const shutDown = new Set<string>();

function linkFor(servedId: string): ServerLink {
  const key = serverKey(servedId);
  let link = links.get(key);
  if (!link) {
    link = new ServerLink(serverRing(key));
    links.set(key, link);
  }
  return link;
}

/**
 * Drops this thread's link to the server holding `servedId`, once it is shut down (a link still
 * reading replies finishes with the calls it has).
 */
export function forgetServer(servedId: string): void {
  const key = serverKey(servedId);
  links.delete(key);
  shutDown.add(key);
}

/** Whether the server holding `servedId` still makes objects. */
export function isServing(servedId: string): boolean {
  return !shutDown.has(serverKey(servedId)) && !isShutDown(linkFor(servedId).requests);
}

routeServedCalls((servedId, objectId, method, args, options) => {
  if (shutDown.has(serverKey(servedId))) return afterShutdown(objectId, method);
  try {
    return linkFor(servedId).call(objectId, method, args, options);
  } catch (error) {
    return Promise.reject(error);
  }
});
