/** A forked worker's entry: core's worker loop over Node's IPC channel. */
import { serve, written } from '@mproc/core/child';

const send = process.send?.bind(process);
if (!send) throw new Error('@mproc/backend-fork: child-entry runs only in a forked process');

serve({
  // Resolves once the message is written out (see ChildChannel.send).
  send: (message) => written((done) => send(message, undefined, undefined, done)),
  onMessage: (listener) => process.on('message', listener),
  exit: (code) => process.exit(code),
});

// The parent closed the channel (it exited, or unref'd an idle pool and ended): nothing more to do.
process.on('disconnect', () => process.exit(0));
