/**
 * Splits a byte stream into frames: a 4-byte unsigned big-endian body length, then the body. A
 * chunk may end anywhere — inside a header, inside a body, or after several whole frames — so the
 * decoder keeps what it has of the current frame between chunks.
 *
 * A body that lies inside one chunk is handed out as a view of that chunk (no copy). A body that
 * spans chunks is copied once into a buffer of its final size, allocated when its header is read:
 * a frame of hundreds of MiB costs one copy of its bytes, never a growing concatenation.
 */

/** Bytes of the length header in front of every frame. */
export const FRAME_HEADER_BYTES = 4;

/** The largest body a 4-byte length can announce. */
export const MAX_FRAME_BYTES = 0xffff_ffff;

export class FrameDecoder {
  readonly #header = Buffer.alloc(FRAME_HEADER_BYTES);
  #headerFilled = 0;
  /** The body being assembled across chunks, once its header was read. */
  #body: Buffer | undefined;
  #bodyFilled = 0;

  /** Bytes of an unfinished frame held back: non-zero when a stream ends mid-frame. */
  get pendingBytes(): number {
    return this.#body ? FRAME_HEADER_BYTES + this.#bodyFilled : this.#headerFilled;
  }

  /** Feeds the next chunk of the stream; returns the frame bodies it completed, in order. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#body === undefined) {
        let length: number;
        if (this.#headerFilled === 0 && chunk.length - offset >= FRAME_HEADER_BYTES) {
          length = chunk.readUInt32BE(offset);
          offset += FRAME_HEADER_BYTES;
        } else {
          const taken = chunk.copy(this.#header, this.#headerFilled, offset, offset + FRAME_HEADER_BYTES);
          this.#headerFilled += taken;
          offset += taken;
          if (this.#headerFilled < FRAME_HEADER_BYTES) break;
          this.#headerFilled = 0;
          length = this.#header.readUInt32BE(0);
        }
        if (chunk.length - offset >= length) {
          frames.push(chunk.subarray(offset, offset + length));
          offset += length;
          continue;
        }
        this.#body = Buffer.allocUnsafe(length);
        this.#bodyFilled = 0;
      }
      const body = this.#body;
      const taken = chunk.copy(body, this.#bodyFilled, offset, offset + body.length - this.#bodyFilled);
      this.#bodyFilled += taken;
      offset += taken;
      if (this.#bodyFilled === body.length) {
        frames.push(body);
        this.#body = undefined;
      }
    }
    return frames;
  }
}
