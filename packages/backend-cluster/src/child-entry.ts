/** A cluster worker's entry: core's worker loop over the cluster IPC channel (or a plain one, see index.ts). */
import cluster from 'node:cluster';
import { serve, written } from '@mproc/core/child';
import { ATTACHED } from './attach-message.js';

const send = process.send?.bind(process);
if (!send) throw new Error('@mproc/backend-cluster: child-entry runs only as a child with an IPC channel');

// A cluster worker, or a plain forked child of one (see forkWorker). A send on the IPC channel fails
// only when the parent is gone (it may die while this worker starts): cluster reports that as an
// 'error' event on its worker object, fatal without a listener.
cluster.worker?.on('error', () => process.exit(0));

serve({
  // Resolves once the message is written out (see ChildChannel.send).
  send: (message) => written((done) => send(message, undefined, undefined, done)),
  onMessage: (listener) => process.on('message', listener),
  exit: (code) => process.exit(code),
});
// serve() listens now: the parent may send (see attach-message).
send({ type: ATTACHED });

// The primary closed the channel (it exited, or unref'd an idle pool and ended): nothing more to do.
process.on('disconnect', () => process.exit(0));
