/** A thread worker's entry: core's worker loop over the thread's MessagePort. */

import type { TransferListItem } from 'node:worker_threads';
import { parentPort } from 'node:worker_threads';
import { serve } from '@mproc/core/child';
import { writeStdioDirectly } from './direct-stdio.js';

const port = parentPort;
if (!port) throw new Error('@mproc/backend-threads: child-entry runs only as a worker thread');

writeStdioDirectly();

serve({
  send: (message, transfer) => {
    port.postMessage(message, transfer as TransferListItem[]);
  },
  onMessage: (listener) => port.on('message', listener),
  exit: (code) => process.exit(code),
});
