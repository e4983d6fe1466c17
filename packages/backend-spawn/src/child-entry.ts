/**
 * A spawned worker's entry: core's worker loop over length-prefixed frames, read from fd 3 and
 * written to fd 4 (the pipes the parent opened); stdout and stderr stay the user's.
 */
import { Socket } from 'node:net';
import { deserialize } from 'node:v8';
import { serve, written } from '@mproc/core/child';
import { FrameDecoder } from './frame-decoder.js';
import { writeFrame } from './frame-writer.js';

const FROM_PARENT_FD = 3;
const TO_PARENT_FD = 4;

let input: Socket;
let output: Socket;
try {
  input = new Socket({ fd: FROM_PARENT_FD, readable: true, writable: false });
  output = new Socket({ fd: TO_PARENT_FD, readable: false, writable: true });
} catch (error) {
  throw new Error('@mproc/backend-spawn: child-entry runs only as a worker started by the spawn backend', {
    cause: error,
  });
}

// The parent closed its end (it exited, or unref'd an idle pool and ended): nothing more to do.
input.on('end', () => process.exit(0));
input.on('error', () => process.exit(0));
// A write fails only when the parent is gone.
output.on('error', () => process.exit(0));

const decoder = new FrameDecoder();

serve({
  // Resolves once the frame is written out (see ChildChannel.send).
  send: (message) => written((done) => writeFrame(output, message, done)),
  onMessage: (listener) =>
    input.on('data', (chunk: Buffer) => {
      // A corrupt stream (a header that does not check, a body V8 cannot read) throws here: the
      // worker exits with it, printed on stderr, and the pool replaces it.
      for (const frame of decoder.push(chunk)) listener(deserialize(frame));
      if (decoder.corruption) throw decoder.corruption;
    }),
  // Exit once the frames already written have left, so the parent receives all of them.
  exit: (code) => output.end(() => process.exit(code)),
});
