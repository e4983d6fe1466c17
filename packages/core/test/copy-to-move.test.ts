import { describe, expect, it } from 'vitest';
import type { TransferListItem } from '../src/backend.js';
import { copyListToMove, copyValueToMove } from '../src/serialize/copy-to-move.js';

const LARGE = 64 * 1024;

describe('copy to move (threads)', () => {
  it('copies a large typed array or ArrayBuffer once and lists the copy to move; the original stays', () => {
    const bytes = new Uint8Array(LARGE).fill(7);
    const buffer = new ArrayBuffer(LARGE);
    const transfer: TransferListItem[] = [];
    const [bytesCopy, bufferCopy, number] = copyListToMove([bytes, buffer, 5], transfer);
    expect(bytesCopy).toBeInstanceOf(Uint8Array);
    expect(bytesCopy).not.toBe(bytes);
    expect(bytesCopy).toEqual(bytes);
    expect(bufferCopy).toBeInstanceOf(ArrayBuffer);
    expect(bufferCopy).not.toBe(buffer);
    expect(number).toBe(5);
    expect(transfer).toEqual([(bytesCopy as Uint8Array).buffer, bufferCopy]);
    const value = new Float64Array(LARGE / 8);
    const moved: TransferListItem[] = [];
    const copy = copyValueToMove(value, moved) as Float64Array;
    expect(copy).not.toBe(value);
    expect(moved).toEqual([copy.buffer]);
  });

  it('the same array twice in a list becomes one copy twice, as a clone keeps identity', () => {
    const bytes = new Uint8Array(LARGE);
    const transfer: TransferListItem[] = [];
    const [first, second] = copyListToMove([bytes, bytes], transfer);
    expect(first).toBe(second);
    expect(transfer).toHaveLength(1);
  });

  it('leaves alone what a clone must handle: small, partial, shared, subclassed, already moved, or beside another object', () => {
    const cases: unknown[][] = [
      [new Uint8Array(LARGE - 1)],
      [new Uint8Array(new ArrayBuffer(LARGE * 2), 0, LARGE)],
      [new Uint8Array(new SharedArrayBuffer(LARGE))],
      [Buffer.alloc(LARGE)],
      [new DataView(new ArrayBuffer(LARGE))],
      [new Uint8Array(LARGE), { refersTo: 'anything' }],
    ];
    for (const values of cases) {
      const transfer: TransferListItem[] = [];
      expect(copyListToMove(values, transfer)).toBe(values);
      expect(transfer).toEqual([]);
    }
    const marked = new Uint8Array(LARGE);
    const transfer: TransferListItem[] = [marked.buffer];
    const alreadyMoved = [marked];
    expect(copyListToMove(alreadyMoved, transfer)).toBe(alreadyMoved);
    expect(copyValueToMove(marked, transfer)).toBe(marked);
    expect(transfer).toEqual([marked.buffer]);
  });
});
