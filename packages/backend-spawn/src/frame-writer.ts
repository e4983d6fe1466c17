/**
 * Writes one message as a frame: its header (frame-decoder.ts), then `v8.serialize(message)`,
 * the structured-clone format Node's 'advanced' IPC uses too, so Map, Set, BigInt, typed arrays and
 * errors arrive as they do on the other process backends.
 */
import type { Writable } from 'node:stream';
import { serialize } from 'node:v8';
import { FRAME_HEADER_BYTES, MAX_FRAME_BYTES, writeFrameHeader } from './frame-decoder.js';

/** Up to this size header and body are joined into one buffer; above it they go out as one writev. */
const JOIN_BELOW_BYTES = 64 * 1024;

/**
 * Serializes `message` and queues it on `stream`; `onWritten` is called once it has been written
 * out. The stream's own buffer keeps frames in order while the pipe is full (backpressure): nothing
 * is dropped or reordered, and a large body is queued by reference, not copied. Core sends a worker
 * only a few jobs ahead, so that buffer stays small.
 * @throws the serializer's error (a DataCloneError), synchronously, when `message` cannot be cloned;
 *   RangeError when it serializes to more than 4 GiB.
 */
export function writeFrame(stream: Writable, message: unknown, onWritten?: () => void): void {
  const body = serialize(message);
  if (body.length > MAX_FRAME_BYTES) {
    throw new RangeError(`a message of ${body.length} bytes is larger than a frame can carry (4 GiB)`);
  }
  if (body.length < JOIN_BELOW_BYTES) {
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
    writeFrameHeader(frame, body.length);
    body.copy(frame, FRAME_HEADER_BYTES);
    stream.write(frame, onWritten);
    return;
  }
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  writeFrameHeader(header, body.length);
  // Corked writes leave together: net.Socket sends them with one writev.
  stream.cork();
  stream.write(header);
  stream.write(body, onWritten);
  stream.uncork();
}
