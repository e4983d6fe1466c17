/**
 * Splits a byte stream into frames: an 8-byte header (the body's length as a 4-byte unsigned
 * big-endian number, then that length XOR a constant), then the body. A chunk may end anywhere —
 * inside a header, inside a body, or after several whole frames — so the decoder keeps what it has
 * of the current frame between chunks.
 *
 * The check word catches a stream that is not ours any more (something else in the worker wrote to
 * its fd 4, or bytes were lost): a header whose check does not match its length throws FrameError,
 * where a bare length would announce a frame of up to 4 GiB and swallow every later message.
 *
 * A body that lies inside one chunk is handed out as a view of that chunk (no copy). A body that
 * spans chunks is copied once into a buffer of its final size, allocated when its header is read:
 * a frame of hundreds of MiB costs one copy of its bytes, never a growing concatenation.
 */

/** Bytes of the header in front of every frame: the length, then its check. */
export const FRAME_HEADER_BYTES = 8;

/** The largest body a 4-byte length can announce. */
export const MAX_FRAME_BYTES = 0xffff_ffff;

/** XORed with the length to make the check word ("mpro"). */
const CHECK = 0x6d70726f;

/** The stream is corrupt: a frame header whose check word does not match its length. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

/** Writes the header of a body of `length` bytes at `offset` of `target`. */
export function writeFrameHeader(target: Buffer, length: number, offset = 0): void {
  target.writeUInt32BE(length, offset);
  target.writeUInt32BE((length ^ CHECK) >>> 0, offset + 4);
}

export class FrameDecoder {
  readonly #header = Buffer.alloc(FRAME_HEADER_BYTES);
  #headerFilled = 0;
  /** The body being assembled across chunks, once its header was read. */
  #body: Buffer | undefined;
  #bodyFilled = 0;

  /** Set once a header did not check: the stream is corrupt from there on, and nothing more is read. */
  corruption: FrameError | undefined;

  /** Bytes of an unfinished frame held back: non-zero when a stream ends mid-frame. */
  get pendingBytes(): number {
    return this.#body ? FRAME_HEADER_BYTES + this.#bodyFilled : this.#headerFilled;
  }

  /**
   * Feeds the next chunk of the stream; returns the frame bodies it completed, in order. After a
   * header that does not check it returns the frames before it and sets `corruption`.
   */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let offset = 0;
    while (offset < chunk.length && !this.corruption) {
      if (this.#body === undefined) {
        let length: number | undefined;
        if (this.#headerFilled === 0 && chunk.length - offset >= FRAME_HEADER_BYTES) {
          length = this.#readHeader(chunk, offset);
          offset += FRAME_HEADER_BYTES;
        } else {
          const taken = chunk.copy(this.#header, this.#headerFilled, offset, offset + FRAME_HEADER_BYTES);
          this.#headerFilled += taken;
          offset += taken;
          if (this.#headerFilled < FRAME_HEADER_BYTES) break;
          this.#headerFilled = 0;
          length = this.#readHeader(this.#header, 0);
        }
        if (length === undefined) break;
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

  /** The body length the header at `offset` announces; undefined (and `corruption` set) when it does not check. */
  #readHeader(source: Buffer, offset: number): number | undefined {
    const length = source.readUInt32BE(offset);
    if (source.readUInt32BE(offset + 4) === (length ^ CHECK) >>> 0) return length;
    const bytes = source.subarray(offset, offset + FRAME_HEADER_BYTES).toString('hex');
    this.corruption = new FrameError(`the stream is corrupt: frame header ${bytes} does not check`);
    return undefined;
  }
}
