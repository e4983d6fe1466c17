/**
 * A Manager's server: a thread of the main process that holds the manager's objects (lists, dicts,
 * Namespaces, Values, Locks, Events) and answers the calls every process writes into its requests
 * ring (server-link.ts), each on the caller's own reply ring. Python's Manager() is a server process;
 * a thread serves as well here, since calls never wait for the main thread's event loop, and it
 * costs no process start. The objects are the broker's (broker/*-core.ts), run by a BrokerCaller per
 * calling thread, so they behave exactly as they do in the main process without a server.
 *
 * The server is an mproc worker of the main process: values too large for a ring travel as parcels
 * kept there (channels/ring-channel.ts), reached over this thread's parent link.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { Call } from '../../broker/call.js';
import { type Caller, openBrokerCaller } from '../../broker/caller.js';
import { createObject } from '../../broker/create.js';
import { encodeItem } from '../../channels/item-codec.js';
import { type ReceiveRules, RingChannel } from '../../channels/ring-channel.js';
import { installParentLink } from '../../child/parent-link.js';
import { InvalidStateError } from '../../errors.js';
import { markAsWorker } from '../../process-info.js';
import type { CallMessage, ReplyMessage } from '../../protocol/messages.js';
import type { RegionDescriptor } from '../../shared/shared-memory.js';
import { isOwnerAlive } from '../../sync/owner.js';
import type { TransferListItem } from '../../transfer-list-item.js';
import type { ServedRequest } from './server-link.js';
import { markShutDown, markStopped } from './server-state.js';

/** What the main process gives the server thread. */
export interface ServerData {
  readonly requests: RegionDescriptor;
  readonly managerId: string;
  readonly name: string;
}

/**
 * How often the server looks for callers that died while their calls wait, to forget them. (A waiting
 * call asks whether its caller lives before it is handed anything, so a Lock never goes to a thread
 * that is gone; see broker/call.ts.)
 */
const LIVENESS_MS = 500;

const RULES: ReceiveRules = {
  timedOut: () => new InvalidStateError('a request wait without a timeout timed out'),
};

/** A thread that calls: its calls run by one BrokerCaller, answered on its reply ring. */
interface Client {
  readonly owner: number;
  readonly caller: Caller;
  readonly replies: RingChannel;
}

/** The server thread's entry (started by start-server.ts). */
export function serveManager(): void {
  const port = parentPort;
  if (!port) throw new Error('serveManager() runs only in a Manager server thread');
  const { requests, managerId, name } = workerData as ServerData;
  markAsWorker({ name, pid: process.pid, ident: threadId, daemon: true });
  const link = installParentLink((message, transfer) => {
    port.postMessage(message, transfer as TransferListItem[]);
  });
  port.on('message', (reply: ReplyMessage) => link.receive(reply));
  createObject('manager', managerId, {}, undefined, new Call(false, undefined));
  const server = new ManagerServer(RingChannel.open(requests), managerId);
  void server.run().finally(() => port.close());
}

function closedCaller(): Caller {
  const caller = openBrokerCaller({ send: () => {} });
  caller.close();
  return caller;
}

class ManagerServer {
  readonly #requests: RingChannel;
  readonly #managerId: string;
  /** By reply ring id. */
  readonly #clients = new Map<string, Client>();
  #serving = true;
  /** Runs the late calls of clients forgotten as dead: those that change state, answering none. */
  readonly #forgotten = closedCaller();
  /** A ChannelOwner for the requests ring: the server stops by leaving its loop, not by closing. */
  readonly closed = false;

  constructor(requests: RingChannel, managerId: string) {
    this.#requests = requests;
    this.#managerId = managerId;
  }

  async run(): Promise<void> {
    const liveness = setInterval(() => this.#forgetDeadClients(), LIVENESS_MS);
    try {
      while (this.#serving) {
        let request: ServedRequest;
        try {
          request = (await this.#requests.receive(undefined, this, RULES)) as ServedRequest;
        } catch {
          // A request that cannot be read (its parcel went with its sender): nobody is left to answer.
          continue;
        }
        this.#take(request);
      }
      // The replies to the shutdown and to the waits it ended are written, then the server stops.
      await new Promise(setImmediate);
      await Promise.all([...this.#clients.values()].map((client) => client.replies.flushed()));
    } finally {
      clearInterval(liveness);
      markStopped(this.#requests);
      for (const client of this.#clients.values()) client.replies.wake();
    }
  }

  #take(request: ServedRequest): void {
    const call = request[0];
    if (call.objectId === this.#managerId && call.method === 'shutdown') {
      // Before the reply: once the caller hears of the shutdown, every factory refuses at once.
      markShutDown(this.#requests);
      this.#serving = false;
    }
    const client = request.length === 2 ? this.#clients.get(request[1]) : this.#introduce(...request);
    // A client gone (forgotten as dead, or dead before its first call was read): its calls still
    // change state, as a dead worker's do in the broker, and nothing is handed to it.
    (client?.caller ?? this.#forgotten).receive(call);
  }

  /** The client of a link's first request; undefined when it is gone already (its ring went with it). */
  #introduce(_call: CallMessage, id: string, owner: number, replyRing: RegionDescriptor): Client | undefined {
    let replies: RingChannel;
    try {
      replies = RingChannel.open(replyRing);
    } catch {
      return undefined;
    }
    const max = replies.ring.maxMessageBytes;
    const caller = openBrokerCaller({
      isAlive: () => isOwnerAlive(owner),
      send: (reply) => {
        replies.send(encodeItem(reply, 'the result', max)).catch(() => {
          // A parcel that could not be stored in the main process: the caller is gone with it.
        });
      },
    });
    const client = { owner, caller, replies };
    this.#clients.set(id, client);
    return client;
  }

  #forgetDeadClients(): void {
    for (const [id, client] of this.#clients) {
      if (isOwnerAlive(client.owner)) continue;
      client.caller.close();
      this.#clients.delete(id);
    }
  }
}
