/**
 * Large byte buffers across workers (Pipe bytes, task arguments and results), run once per backend.
 * On process backends with the native addon they cross through shared memory (serialize/
 * staged-bytes.ts); the cases run a second time there with the addon switched off in the parent and
 * in the workers, so both paths keep one behaviour: the receiver gets an equal copy of its own.
 */

import {
  type BackendCapabilities,
  type Connection,
  getContext,
  type Queue,
  type StartMethod,
} from '@mproc/core';
import { forceSharedMemoryFallback } from '@mproc/core/child';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOUND, within, withWorkers } from './bounded.js';

/** Above the size from which process backends stage buffers (256 KiB). */
const SIZE = 1 << 20;

/** Counts the bytes of `bytes` equal to `value`: a check that reads every byte. */
const countOf = (bytes: ArrayLike<number>, value: number): number => {
  let count = 0;
  for (let index = 0; index < bytes.length; index++) if (bytes[index] === value) count++;
  return count;
};

function bytesCases(method: StartMethod, env: Record<string, string | undefined> | undefined): void {
  const context = getContext(method);

  it('sendBytes both ways: each side gets an equal copy that later changes on the other side do not reach', () =>
    withWorkers(context, async (workers) => {
      const [parentEnd, childEnd] = context.Pipe();
      const changed = context.Queue<number>();
      const child = workers.process({
        target: async (end: Connection, done: Queue<number>) => {
          const received = await end.recvBytes();
          let ones = 0;
          for (const byte of received) if (byte === 1) ones++;
          await end.sendBytes(received);
          received.fill(3); // after sending: the parent's copy must not change
          await done.put(ones);
        },
        args: [childEnd, changed],
        env,
      });
      await child.start();
      const sent = new Uint8Array(SIZE).fill(1);
      await parentEnd.sendBytes(sent);
      sent.fill(2); // after sending: the child's copy must not change
      expect(await changed.get({ timeout: BOUND })).toBe(SIZE);
      const back = await within(parentEnd.recvBytes(), BOUND, 'recvBytes');
      expect(back.byteLength).toBe(SIZE);
      expect(countOf(back, 1)).toBe(SIZE);
      await child.join(BOUND);
      expect(child.exitCode).toBe(0);
    }));

  it('large task arguments and results arrive equal, of their kind, and independent of the copy the other side keeps', () =>
    withWorkers(context, async (workers) => {
      const pool = workers.pool({ processes: 1, env });
      const bytes = new Uint8Array(SIZE).fill(7);
      const numbers = new Float64Array(SIZE / 8).fill(0.5);
      const raw = new ArrayBuffer(SIZE);
      const summary = await within(
        pool.apply(
          (a: Uint8Array, again: Uint8Array, b: Float64Array, c: ArrayBuffer) => {
            let sevens = 0;
            for (const byte of a) if (byte === 7) sevens++;
            let half = 0;
            for (const number of b) if (number === 0.5) half++;
            // The worker keeps what it returns, and changes it in a later task.
            (globalThis as { kept?: Uint8Array }).kept = a;
            return [
              sevens,
              half,
              a === again,
              a.constructor.name,
              b.constructor.name,
              c instanceof ArrayBuffer && c.byteLength,
            ];
          },
          [bytes, bytes, numbers, raw],
        ),
        BOUND,
        'the task',
      );
      expect(summary).toEqual([SIZE, SIZE / 8, true, 'Uint8Array', 'Float64Array', SIZE]);
      const result = await within(
        pool.apply(() => (globalThis as { kept?: Uint8Array }).kept),
        BOUND,
        'the result',
      );
      expect(result).toBeInstanceOf(Uint8Array);
      bytes.fill(8); // the parent's own buffer: no copy on either side may follow it
      const changedThere = await within(
        pool.apply(() => {
          const kept = (globalThis as { kept?: Uint8Array }).kept as Uint8Array;
          kept.fill(9);
          return kept[0];
        }),
        BOUND,
        'the change',
      );
      expect(changedThere).toBe(9);
      expect(countOf(result as Uint8Array, 7)).toBe(SIZE);
    }));

  it('a map over large buffers gives each item back equal, in order', () =>
    withWorkers(context, async (workers) => {
      const pool = workers.pool({ processes: 2, env });
      const items = [1, 2, 3, 4].map((value) => new Uint8Array(SIZE).fill(value));
      const results = await within(
        pool.map((item: Uint8Array) => item.map((byte) => byte * 2), items, 1),
        BOUND,
        'map',
      );
      expect(results.map((result) => [result.byteLength, countOf(result, result[0] as number)])).toEqual(
        items.map(() => [SIZE, SIZE]),
      );
      expect(results.map((result) => result[0])).toEqual([2, 4, 6, 8]);
    }));
}

export function bytesSuite(method: StartMethod, capabilities: BackendCapabilities): void {
  describe('large byte buffers across workers', () => bytesCases(method, undefined));
  if (!capabilities.separateProcess) return;
  describe('large byte buffers across workers, without the native addon', () => {
    beforeAll(() => forceSharedMemoryFallback(true));
    afterAll(() => forceSharedMemoryFallback(false));
    bytesCases(method, { ...process.env, MPROC_NO_NATIVE: '1' });
  });
}
