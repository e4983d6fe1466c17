/**
 * A compact encoding for the values a stream usually carries — plain objects and arrays of numbers,
 * strings, booleans, null and undefined — that skips V8's serializer (about 4 µs to write and 2 µs
 * to read a `{ index, text }` record of 1 KiB, where this takes a few hundred ns). It gives what
 * structured clone gives for such values, lone surrogates and `-0` included; anything else
 * (a class instance, a Date, a Map, a typed array, a bigint, a holey array or one with extra
 * properties, an object met twice or nested too deep) is left to V8: `encodePlain` returns
 * undefined.
 *
 * Layout: one tag byte per value; numbers as float64; strings as a u32 length and either Latin-1
 * bytes (ASCII text) or UTF-16 code units; objects and arrays as a u32 count then their entries.
 */
import { Buffer } from 'node:buffer';

const NUMBER = 1;
const ASCII = 2;
const UTF16 = 3;
const TRUE = 4;
const FALSE = 5;
const NULL = 6;
const UNDEFINED = 7;
const OBJECT = 8;
const ARRAY = 9;

/** Deeper values are rare in streams and go to V8, which also handles cycles. */
const MAX_DEPTH = 32;
/**
 * Longer arrays go to V8: checking that an array has no extra properties lists its keys, which
 * costs more than V8's own writing of a long array.
 */
const MAX_ARRAY = 1024;

/** Why encoding stopped: the value is not plain, or it does not fit. */
const NOT_PLAIN = Symbol('not plain');

/**
 * Object keys as written, by key: a stream's items share a few keys, and copying a key's bytes costs
 * less than measuring and writing the string again (about 120 ns a key). Short keys only, and cleared
 * when full, so odd keys cannot grow it past 1024 × 64 characters.
 */
const keyBytes = new Map<string, Buffer>();
const MAX_KEYS = 1024;
const MAX_KEY_LENGTH = 64;

/**
 * Counts and lengths, little-endian, written and read in place: Buffer's own methods check their
 * arguments in JavaScript, which costs most in a fresh process, before V8 has compiled the codec.
 */
function setUint32(buffer: Buffer, offset: number, value: number): void {
  buffer[offset] = value;
  buffer[offset + 1] = value >>> 8;
  buffer[offset + 2] = value >>> 16;
  buffer[offset + 3] = value >>> 24;
}

function getUint32(buffer: Buffer, offset: number): number {
  return (
    ((buffer[offset] as number) |
      ((buffer[offset + 1] as number) << 8) |
      ((buffer[offset + 2] as number) << 16) |
      ((buffer[offset + 3] as number) << 24)) >>>
    0
  );
}

class Writer {
  buffer: Buffer;
  offset: number;
  readonly #limit: number;
  /** Objects and arrays written so far: one met twice must keep its identity, so V8 takes it. */
  #seen: Set<object> | undefined;

  constructor(buffer: Buffer, offset: number, limit: number) {
    this.buffer = buffer;
    this.offset = offset;
    this.#limit = limit;
  }

  #room(bytes: number): void {
    const needed = this.offset + bytes;
    if (needed > this.#limit) throw NOT_PLAIN;
    if (needed <= this.buffer.length) return;
    const larger = Buffer.allocUnsafe(Math.min(this.#limit, Math.max(needed, this.buffer.length * 2)));
    this.buffer.copy(larger, 0, 0, this.offset);
    this.buffer = larger;
  }

  string(value: string): void {
    const ascii = Buffer.byteLength(value, 'utf8') === value.length;
    const size = ascii ? value.length : value.length * 2;
    this.#room(5 + size);
    const { buffer } = this;
    buffer[this.offset] = ascii ? ASCII : UTF16;
    setUint32(buffer, this.offset + 1, value.length);
    this.offset += 5;
    this.offset += buffer.write(value, this.offset, size, ascii ? 'latin1' : 'utf16le');
  }

  /** An object key: as `string`, from `keyBytes`. */
  key(key: string): void {
    if (key.length > MAX_KEY_LENGTH) {
      this.string(key);
      return;
    }
    let bytes = keyBytes.get(key);
    if (bytes === undefined) {
      const writer = new Writer(Buffer.allocUnsafe(5 + key.length * 2), 0, Number.POSITIVE_INFINITY);
      writer.string(key);
      bytes = writer.buffer.subarray(0, writer.offset);
      if (keyBytes.size >= MAX_KEYS) keyBytes.clear();
      keyBytes.set(key, bytes);
    }
    this.#room(bytes.length);
    this.buffer.set(bytes, this.offset);
    this.offset += bytes.length;
  }

  value(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'number':
        this.#room(9);
        this.buffer[this.offset] = NUMBER;
        this.buffer.writeDoubleLE(value, this.offset + 1);
        this.offset += 9;
        return;
      case 'string':
        this.string(value);
        return;
      case 'boolean':
        this.#tag(value ? TRUE : FALSE);
        return;
      case 'undefined':
        this.#tag(UNDEFINED);
        return;
      case 'object':
        if (value === null) this.#tag(NULL);
        else this.#container(value, depth);
        return;
      default:
        throw NOT_PLAIN;
    }
  }

  #tag(tag: number): void {
    this.#room(1);
    this.buffer[this.offset++] = tag;
  }

  #container(value: object, depth: number): void {
    this.#seen ??= new Set();
    if (depth >= MAX_DEPTH || this.#seen.has(value)) throw NOT_PLAIN;
    this.#seen.add(value);
    if (Array.isArray(value)) {
      // No holes (checked per index) and as many keys as items: no extra properties either.
      if (value.length > MAX_ARRAY || Object.keys(value).length !== value.length) throw NOT_PLAIN;
      this.#header(ARRAY, value.length);
      for (let index = 0; index < value.length; index++) {
        if (!(index in value)) throw NOT_PLAIN;
        this.value(value[index], depth + 1);
      }
      return;
    }
    // A null-prototype object clones to a plain one, as structured clone makes it.
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) throw NOT_PLAIN;
    const keys = Object.keys(value);
    this.#header(OBJECT, keys.length);
    for (const key of keys) {
      this.key(key);
      this.value((value as Record<string, unknown>)[key], depth + 1);
    }
  }

  #header(tag: number, count: number): void {
    this.#room(5);
    this.buffer[this.offset] = tag;
    setUint32(this.buffer, this.offset + 1, count);
    this.offset += 5;
  }
}

/** Reused between calls: see `encodePlain`. */
let scratch: Buffer = Buffer.allocUnsafe(4096);

/**
 * `value` encoded after a first byte `tag`, in at most `maxBytes`; undefined when it is not a plain
 * value (or would not fit), so that V8 serializes it. The bytes are a view of a buffer that the next
 * call reuses: whoever keeps them longer copies them.
 */
export function encodePlain(value: unknown, tag: number, maxBytes: number): Buffer | undefined {
  // An instance, a Date, a Map... at the top: not plain, known before a writer is made and thrown out.
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return undefined;
  }
  const writer = new Writer(scratch, 1, maxBytes);
  try {
    writer.value(value, 0);
  } catch {
    // Not plain, too large, or a getter threw: V8's path gives such a value its usual handling.
    return undefined;
  } finally {
    scratch = writer.buffer;
  }
  scratch[0] = tag;
  return scratch.subarray(0, writer.offset);
}

/** The value that `encodePlain` wrote into `buffer` after its first byte. */
export function decodePlain(buffer: Buffer): unknown {
  const reader = { offset: 1 };
  return read(buffer, reader);
}

function read(buffer: Buffer, reader: { offset: number }): unknown {
  const tag = buffer[reader.offset++];
  switch (tag) {
    case NUMBER: {
      const value = buffer.readDoubleLE(reader.offset);
      reader.offset += 8;
      return value;
    }
    case ASCII:
    case UTF16: {
      const length = getUint32(buffer, reader.offset);
      const start = reader.offset + 4;
      const end = start + (tag === ASCII ? length : length * 2);
      reader.offset = end;
      return buffer.toString(tag === ASCII ? 'latin1' : 'utf16le', start, end);
    }
    case TRUE:
      return true;
    case FALSE:
      return false;
    case NULL:
      return null;
    case UNDEFINED:
      return undefined;
    case ARRAY: {
      const length = getUint32(buffer, reader.offset);
      reader.offset += 4;
      const array: unknown[] = [];
      for (let index = 0; index < length; index++) array.push(read(buffer, reader));
      return array;
    }
    case OBJECT: {
      const count = getUint32(buffer, reader.offset);
      reader.offset += 4;
      const object: Record<string, unknown> = {};
      for (let index = 0; index < count; index++) {
        const key = read(buffer, reader) as string;
        const value = read(buffer, reader);
        // An own '__proto__' key is data, as in structured clone; assigning it would set the prototype.
        if (key === '__proto__') {
          Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
        } else object[key] = value;
      }
      return object;
    }
    default:
      throw new Error(`corrupt plain value: tag ${tag} at byte ${reader.offset - 1}`);
  }
}
