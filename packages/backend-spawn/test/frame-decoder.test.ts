import { PassThrough } from 'node:stream';
import { deserialize } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES, FrameDecoder, FrameError, writeFrameHeader } from '../src/frame-decoder.js';
import { writeFrame } from '../src/frame-writer.js';

function frame(body: Buffer): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  writeFrameHeader(header, body.length);
  return Buffer.concat([header, body]);
}

/** `stream` cut at `cuts` (positions, any order, repeats allowed). */
function split(stream: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b);
  return [...points, stream.length].map((end, index) => stream.subarray(points[index - 1] ?? 0, end));
}

const bodies = fc.array(
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  {
    maxLength: 12,
  },
);

const BODIES = [
  Buffer.from('first'),
  Buffer.alloc(0),
  Buffer.from('a somewhat longer third body'),
  Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]),
];
const STREAM = Buffer.concat(BODIES.map(frame));

function decodeAll(chunks: Buffer[]): Buffer[] {
  const decoder = new FrameDecoder();
  const frames = chunks.flatMap((chunk) => decoder.push(chunk));
  expect(decoder.pendingBytes).toBe(0);
  return frames;
}

describe('FrameDecoder', () => {
  it('splits coalesced frames that arrive in one chunk, empty bodies included', () => {
    expect(decodeAll([STREAM])).toEqual(BODIES);
  });

  it('reassembles frames from chunks that end anywhere: in a header, in a body, between frames', () => {
    for (let first = 0; first <= STREAM.length; first++) {
      for (let second = first; second <= STREAM.length; second += 3) {
        const chunks = [STREAM.subarray(0, first), STREAM.subarray(first, second), STREAM.subarray(second)];
        expect(decodeAll(chunks)).toEqual(BODIES);
      }
    }
  });

  it('reassembles frames fed one byte at a time', () => {
    const bytes = [...STREAM].map((byte) => Buffer.from([byte]));
    expect(decodeAll(bytes)).toEqual(BODIES);
  });

  it('holds an unfinished frame back and counts its bytes', () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(STREAM.subarray(0, 2))).toEqual([]);
    expect(decoder.pendingBytes).toBe(2);
    expect(decoder.push(STREAM.subarray(2, 7))).toEqual([]);
    expect(decoder.pendingBytes).toBe(7);
    expect(decoder.push(STREAM.subarray(7))).toEqual(BODIES);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('property: any frames, cut anywhere into any number of chunks, come out whole and in order', () => {
    fc.assert(
      fc.property(bodies, fc.array(fc.nat(), { maxLength: 20 }), (sent, cuts) => {
        const stream = Buffer.concat(sent.map(frame));
        expect(decodeAll(split(stream, cuts))).toEqual(sent);
      }),
    );
  });

  it('property: a changed byte in any frame header is reported as corruption, after the frames before it and never a wrong frame', () => {
    fc.assert(
      fc.property(
        bodies.filter((sent) => sent.length > 0),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (sent, which, at, flip, cuts) => {
          const frames = sent.map(frame);
          const broken = which % sent.length;
          const position = at % FRAME_HEADER_BYTES;
          const corrupt = Buffer.from(frames[broken] as Buffer);
          corrupt[position] = (corrupt[position] as number) ^ flip;
          frames[broken] = corrupt;
          const decoder = new FrameDecoder();
          const decoded = split(Buffer.concat(frames), cuts).flatMap((chunk) => decoder.push(chunk));
          expect(decoder.corruption).toBeInstanceOf(FrameError);
          expect(decoded).toEqual(sent.slice(0, broken));
        },
      ),
    );
  });

  it('assembles a frame of hundreds of MiB from pipe-sized chunks into one buffer', () => {
    const size = 300 * 1024 * 1024;
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    writeFrameHeader(header, size);
    // The body is never materialized by the test: every chunk is a view of one 64 KiB pattern.
    const pattern = Buffer.alloc(64 * 1024);
    for (let index = 0; index < pattern.length; index++) pattern[index] = (index * 7 + 3) & 0xff;
    const decoder = new FrameDecoder();
    // A chunk that starts with the header and a little body, as a pipe delivers it.
    expect(decoder.push(Buffer.concat([header, pattern.subarray(0, 100)]))).toEqual([]);
    let fed = 100;
    let frames: Buffer[] = [];
    while (fed < size) {
      const length = Math.min(pattern.length, size - fed);
      const start = fed % pattern.length;
      const chunk = Buffer.concat([pattern.subarray(start), pattern.subarray(0, start)]).subarray(0, length);
      frames = decoder.push(chunk);
      fed += length;
      if (fed < size) expect(frames).toEqual([]);
    }
    expect(frames).toHaveLength(1);
    const body = frames[0] as Buffer;
    expect(body.length).toBe(size);
    for (const offset of [0, 1, 99, 100, 65_535, 65_536, size / 2 + 17, size - 1]) {
      expect(body[offset]).toBe((((offset % pattern.length) * 7 + 3) & 0xff) as number);
    }
    expect(decoder.pendingBytes).toBe(0);
  });
});

describe('writeFrame', () => {
  it('frames structured-clone messages that the decoder gives back intact, small and large', () => {
    const stream = new PassThrough();
    const messages = [
      { type: 'x', map: new Map([[1, 'a']]), set: new Set([2n]), error: new RangeError('r') },
      { bytes: new Float64Array([1.5, -0]), date: new Date(5) },
      { big: new Uint8Array(200_000).fill(9) },
    ];
    for (const message of messages) writeFrame(stream, message);
    stream.end();
    const decoder = new FrameDecoder();
    const decoded: unknown[] = [];
    for (let chunk = stream.read() as Buffer | null; chunk; chunk = stream.read() as Buffer | null) {
      for (const body of decoder.push(chunk)) decoded.push(deserialize(body));
    }
    expect(decoded).toEqual(messages);
  });

  it('throws synchronously when the message cannot be cloned, and writes nothing', () => {
    const stream = new PassThrough();
    expect(() => writeFrame(stream, { callback: () => 1 })).toThrow(/could not be cloned/);
    expect(stream.readableLength).toBe(0);
  });
});
