/**
 * Starts a Manager's server thread (server.ts) in the main process, with the ring that carries every
 * process's requests to it, and serves the thread's own calls to the main process (parcels of values
 * too large for a ring) as it serves any worker's.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { openCaller } from '../../broker/caller.js';
import { servedManagerId } from '../../broker/served-id.js';
import { allocateRing, RingChannel } from '../../channels/ring-channel.js';
import type { CallMessage } from '../../protocol/messages.js';
import type { TransferListItem } from '../../transfer-list-item.js';
import type { ServerData } from './server.js';
import { markStopped } from './server-state.js';

/**
 * This file once bundled: dist/core.cjs, whose `child.serveManager` is the thread's entry. (From the
 * TypeScript sources, as in core's own unit tests, there is no bundle: managers use the broker.)
 */
const BUNDLE = fileURLToPath(import.meta.url);

let started = 0;

/**
 * Starts a server and returns its manager's id, or undefined where it cannot run (no shared memory
 * for rings, or core not running from its bundle): the manager then lives in the main process's broker.
 */
export function startManagerServer(): string | undefined {
  if (!BUNDLE.endsWith('.cjs')) return undefined;
  const region = allocateRing();
  if (!region) return undefined;
  const requests = region.descriptor();
  const managerId = servedManagerId(requests);
  const data: ServerData = { requests, managerId, name: `SyncManager-${++started}` };
  const thread = new Worker(`require(${JSON.stringify(BUNDLE)}).child.serveManager()`, {
    eval: true,
    workerData: data,
    // The parent's options are the user's program's (a loader, --input-type=module that would make
    // this code an ES module); the server loads only core.
    execArgv: [],
  });
  const caller = openCaller({
    send: (message, transfer) => thread.postMessage(message, transfer as TransferListItem[]),
  });
  thread.on('message', (message: CallMessage) => caller.receive(message));
  thread.on('error', (error) => {
    process.emitWarning(`mproc: the server thread of ${data.name} failed: ${error.stack ?? error}`);
  });
  thread.once('exit', () => {
    caller.close();
    // Calls that wait for a reply fail instead of waiting forever (a stop by shutdown() marked it).
    markStopped(RingChannel.on(region), true);
  });
  // A manager that is never shut down does not keep the program alive, as Python's daemonic server.
  // (After the listeners: adding a 'message' listener refs the thread again.)
  thread.unref();
  return managerId;
}
