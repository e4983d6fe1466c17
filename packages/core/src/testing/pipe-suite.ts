/**
 * SPEC 5 (Pipe and Connection) as tests, run once per backend. Pipes live in the main process; their
 * ends are passed to Pool workers and Processes, which send and receive both ways. Tasks are
 * self-contained arrow functions sent by source text.
 */

import {
  type BackendCapabilities,
  Connection,
  EOFError,
  type Event,
  getContext,
  InvalidStateError,
  type Queue,
  type StartMethod,
  type Value,
} from '@mproc/core';
import { forceSharedMemoryFallback } from '@mproc/core/child';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOUND, rejectionOf, within, withWorkers } from './bounded.js';

/** Answers each message with the message and `!` until it gets `bye`. */
const echo = async (connection: Connection) => {
  for (;;) {
    const message = await connection.recv<string>();
    if (message === 'bye') return;
    await connection.send(`${message}!`);
  }
};

/** Tutorial 003's child: sends its result, then closes its end. */
const sendAndClose = async (connection: Connection, value: unknown) => {
  await connection.send(value);
  await connection.close();
};

/** Sends `count` numbers on `end` once `go` is set. */
const sendOnSignal = async (end: Connection, go: Event, count: number) => {
  await go.wait();
  for (let item = 0; item < count; item++) await end.send(item);
};

/** Receives `count` numbers on `end`, then stores their sum in `done` (0 until then). */
const receiveIntoValue = async (end: Connection, done: Value, count: number) => {
  let sum = 0;
  for (let index = 0; index < count; index++) sum += await end.recv<number>();
  done.value = sum;
};

/** Sends `count` strings of about 1 KiB, numbered, without awaiting them, and returns. */
const sendKilobytes = (end: Connection, count: number) => {
  for (let item = 0; item < count; item++) void end.send(`${item}:${'x'.repeat(1_000)}`);
};

/**
 * Registers the pipe tests for the start method `method`: on rings in shared memory, and, for
 * backends of separate processes, again on the main process's broker (no native addon).
 */
export function pipeSuite(method: StartMethod, capabilities: BackendCapabilities): void {
  pipeCases(method, capabilities, true);
  if (!capabilities.separateProcess) return;
  describe('pipes without the native addon (the main process keeps them)', () => {
    beforeAll(() => forceSharedMemoryFallback(true));
    afterAll(() => forceSharedMemoryFallback(false));
    pipeCases(method, capabilities, false);
  });
}

/** The pipe tests; `onRings` when pipes are rings that processes use directly. */
function pipeCases(method: StartMethod, capabilities: BackendCapabilities, onRings: boolean): void {
  const context = getContext(method);

  describe('Pipe in one process', () => {
    it('returns two Connections at once; what one end sends the other receives, in order, both ways', async () => {
      const [left, right] = context.Pipe();
      expect(left).toBeInstanceOf(Connection);
      expect([left.readable, left.writable, right.readable, right.writable]).toEqual([
        true,
        true,
        true,
        true,
      ]);
      await left.send({ n: 1 });
      await left.send([2]);
      await right.send('back');
      expect(await right.recv()).toEqual({ n: 1 });
      expect(await right.recv()).toEqual([2]);
      expect(await left.recv()).toBe('back');
    });

    it('poll() says whether there is something to read: at once, within a timeout, or when the peer closes', async () => {
      const [left, right] = context.Pipe();
      expect(await right.poll()).toBe(false);
      const started = performance.now();
      expect(await right.poll(100)).toBe(false);
      expect(performance.now() - started).toBeGreaterThanOrEqual(90);
      const polling = right.poll(BOUND);
      await left.send('x');
      expect(await within(polling, BOUND, 'poll')).toBe(true);
      expect(await right.poll()).toBe(true);
      await right.recv();
      const untilClosed = right.poll(null);
      await left.close();
      expect(await within(untilClosed, BOUND, 'poll(null)')).toBe(true); // recv() would fail at once
      expect(await rejectionOf(right.poll(-1))).toBeInstanceOf(RangeError);
    });

    it('recv() rejects with EOFError once the other end is closed and nothing is left, also a recv() waiting then', async () => {
      const [left, right] = context.Pipe();
      await left.send('last');
      await left.close();
      expect(left.closed).toBe(true);
      expect(await right.recv()).toBe('last');
      const error = await rejectionOf(right.recv());
      expect(error).toBeInstanceOf(EOFError);
      expect(EOFError.isInstance(error)).toBe(true);
      const [a, b] = context.Pipe();
      const waiting = b.recv();
      await a.close();
      expect(await rejectionOf(waiting)).toBeInstanceOf(EOFError);
      expect(await rejectionOf(b.send('to nobody'))).toBeInstanceOf(InvalidStateError);
    });

    it('a closed end refuses every call with InvalidStateError; close() again does nothing', async () => {
      const [left] = context.Pipe();
      await left.close();
      await left.close();
      for (const call of [() => left.send(1), () => left.recv(), () => left.poll(), () => left.recvBytes()]) {
        expect(await rejectionOf(call())).toBeInstanceOf(InvalidStateError);
      }
    });

    it('Pipe(false): the first end only receives, the second only sends', async () => {
      const [reader, writer] = context.Pipe(false);
      expect([reader.readable, reader.writable, writer.readable, writer.writable]).toEqual([
        true,
        false,
        false,
        true,
      ]);
      expect(await rejectionOf(reader.send('x'))).toBeInstanceOf(InvalidStateError);
      expect(await rejectionOf(writer.recv())).toBeInstanceOf(InvalidStateError);
      await writer.send('one way');
      expect(await reader.recv()).toBe('one way');
    });

    it('sendBytes(buffer, offset, size) sends those bytes; recvBytes() gives them as a Buffer', async () => {
      const [left, right] = context.Pipe();
      const source = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]);
      await left.sendBytes(source, 2, 3);
      await left.sendBytes(new Uint16Array([0x0102]).buffer);
      source.fill(9); // the bytes were copied at the call
      const first = await right.recvBytes();
      expect(Buffer.isBuffer(first)).toBe(true);
      expect([...first]).toEqual([2, 3, 4]);
      expect((await right.recvBytes()).byteLength).toBe(2);
      expect(await rejectionOf(left.sendBytes(source, 6, 5))).toBeInstanceOf(RangeError);
      await left.send('an object');
      expect(await rejectionOf(right.recvBytes())).toBeInstanceOf(TypeError);
      expect(await right.recv()).toBe('an object'); // it stayed for recv()
    });
  });

  describe('Pipe across workers', () => {
    it('a Pool worker and the parent talk both ways over one pipe', () =>
      withWorkers(context, async (workers) => {
        const pool = workers.pool({ processes: 1 });
        const [parentEnd, workerEnd] = context.Pipe();
        const echoing = pool.apply(echo, [workerEnd]);
        for (const word of ['a', 'b']) {
          await parentEnd.send(word);
          expect(await within(parentEnd.recv(), BOUND, 'the echo')).toBe(`${word}!`);
        }
        await parentEnd.send('bye');
        await within(echoing, BOUND, 'the task');
      }));

    it('a tree of Processes: a grandchild sends to the main process over a pipe end its parent passed on', () =>
      withWorkers(context, async (workers) => {
        const [reader, writer] = context.Pipe(false);
        const child = workers.process({
          target: async (startMethod: StartMethod, end: Connection) => {
            const load = new Function('specifier', 'return import(specifier)'); // see process-suite
            const { getContext: contextOf } = (await load('@mproc/core')) as typeof import('@mproc/core');
            const grandchild = contextOf(startMethod).Process({
              target: async (inner: Connection) => {
                await inner.send({ from: 'grandchild', parentPid: process.ppid });
              },
              args: [end],
            });
            await grandchild.start();
            await grandchild.join();
            await end.send({ from: 'child', pid: process.pid, grandchildExit: grandchild.exitCode });
          },
          args: [method, writer],
        });
        await child.start();
        const fromGrandchild = await within(reader.recv(), BOUND, 'recv from the grandchild');
        const fromChild = await within(reader.recv(), BOUND, 'recv from the child');
        expect(fromChild).toEqual({ from: 'child', pid: child.pid, grandchildExit: 0 });
        // On threads every worker is this process; elsewhere the grandchild is the child's child.
        expect(fromGrandchild).toEqual({
          from: 'grandchild',
          parentPid: capabilities.separateProcess ? child.pid : process.ppid,
        });
        await child.join(BOUND);
        expect(child.exitCode).toBe(0);
      }));

    it('tutorial 003: the child sends its result and closes its end; the parent reads it, then EOF', () =>
      withWorkers(context, async (workers) => {
        const [parentConnection, childConnection] = context.Pipe();
        const child = workers.process({ target: sendAndClose, args: [childConnection, [[1.5, 2.5]]] });
        await child.start();
        expect(await within(parentConnection.recv(), BOUND, 'recv')).toEqual([[1.5, 2.5]]);
        await child.join(BOUND);
        expect(await rejectionOf(parentConnection.recv())).toBeInstanceOf(EOFError);
      }));

    it("closing the child's end in the parent after passing it on closes only the parent's copy (Python's idiom)", () =>
      withWorkers(context, async (workers) => {
        const [parentConnection, childConnection] = context.Pipe();
        const child = workers.process({ target: sendAndClose, args: [childConnection, 'still open'] });
        await child.start();
        await childConnection.close(); // the parent's copy only: the child's end stays open
        expect(await within(parentConnection.recv(), BOUND, 'recv')).toBe('still open');
        await child.join(BOUND);
        expect(child.exitCode).toBe(0);
        expect(await rejectionOf(parentConnection.recv())).toBeInstanceOf(EOFError);
      }));

    it('Pipe(false) across a Process: the child sends on the second end, the parent receives on the first', () =>
      withWorkers(context, async (workers) => {
        const [reader, writer] = context.Pipe(false);
        const refusals = context.Queue<string>();
        const child = workers.process({
          target: async (end: Connection, refused: Queue<string>) => {
            try {
              await end.recv();
            } catch (error) {
              await refused.put((error as Error).name);
            }
            await end.send('from the child');
          },
          args: [writer, refusals],
        });
        await child.start();
        expect(await within(reader.recv(), BOUND, 'recv')).toBe('from the child');
        expect(await refusals.get({ timeout: BOUND })).toBe('InvalidStateError');
        await child.join(BOUND);
      }));

    it('poll(timeout) in the parent wakes when a worker sends; bytes cross intact both ways', () =>
      withWorkers(context, async (workers) => {
        const pool = workers.pool({ processes: 1 });
        const [parentEnd, workerEnd] = context.Pipe();
        const size = 1 << 20;
        const bytes = new Uint8Array(size);
        for (let index = 0; index < size; index++) bytes[index] = index % 251;
        const task = pool.apply(
          async (end: Connection) => {
            const received = await end.recvBytes();
            let sum = 0;
            for (const byte of received) sum += byte;
            await end.sendBytes(received, 1, received.byteLength - 2);
            return sum;
          },
          [workerEnd],
        );
        await parentEnd.sendBytes(bytes);
        expect(await within(parentEnd.poll(BOUND), BOUND, 'poll')).toBe(true);
        const back = await parentEnd.recvBytes();
        expect(back.byteLength).toBe(size - 2);
        expect(back.equals(Buffer.from(bytes.subarray(1, size - 1)))).toBe(true);
        let expected = 0;
        for (const byte of bytes) expected += byte;
        expect(await within(task, BOUND, 'the task')).toBe(expected);
      }));

    it('a worker waiting in recv() gets EOFError when the parent closes its end', () =>
      withWorkers(context, async (workers) => {
        const pool = workers.pool({ processes: 1 });
        const [parentEnd, workerEnd] = context.Pipe();
        const ready = context.Queue<string>();
        const task = pool.apply(
          async (end: Connection, signal: Queue<string>) => {
            const received = end.recv().then(
              () => 'a message',
              (error: Error) => error.name,
            );
            await signal.put('waiting');
            return received;
          },
          [workerEnd, ready],
        );
        expect(await ready.get({ timeout: BOUND })).toBe('waiting');
        await parentEnd.close();
        expect(await within(task, BOUND, 'the task')).toBe('EOFError');
      }));
  });

  describe('Pipe traffic that passes no main process', () => {
    // Only rings can do this: the broker answers from the main process's event loop.
    if (onRings) {
      it('2,000 messages pass from one Process to another while the main process runs a synchronous loop', () =>
        withWorkers(context, async (workers) => {
          const count = 2_000;
          const [receiving, sending] = context.Pipe(false);
          const go = context.Event();
          const done = context.Value('d', 0, { lock: false });
          const receiver = workers.process({ target: receiveIntoValue, args: [receiving, done, count] });
          const sender = workers.process({ target: sendOnSignal, args: [sending, go, count] });
          await within(Promise.all([receiver.start(), sender.start()]), BOUND, 'the children start');
          go.set();
          const deadline = performance.now() + 3 * BOUND;
          while (done.value === 0 && performance.now() < deadline) {
            // busy, as a main process computing
          }
          expect(done.value, 'the receiver finished during the loop').toBe((count * (count - 1)) / 2);
          await within(Promise.all([receiver.join(), sender.join()]), BOUND, 'the children end');
        }));
    }

    it('a child that sends more than the pipe holds and exits is joined before anyone reads: nothing is lost', () =>
      withWorkers(context, async (workers) => {
        const [parentEnd, childEnd] = context.Pipe();
        const count = 2_000;
        const child = workers.process({ target: sendKilobytes, args: [childEnd, count] });
        await child.start();
        await child.join(BOUND);
        expect(child.exitCode).toBe(0);
        for (let item = 0; item < count; item++) {
          expect((await parentEnd.recv<string>()).split(':')[0]).toBe(String(item));
        }
      }));

    it('bytes larger than the ring, and messages around them, keep their order between processes', () =>
      withWorkers(context, async (workers) => {
        const pool = workers.pool({ processes: 1 });
        const [parentEnd, workerEnd] = context.Pipe();
        const sent = await pool.apply(
          async (end: Connection) => {
            const big = new Uint8Array(3 * 1024 * 1024).map((_, index) => index % 251);
            await end.send('before');
            await end.sendBytes(big);
            await end.send('after');
            return big.reduce((sum, byte) => sum + byte, 0);
          },
          [workerEnd],
        );
        expect(await parentEnd.recv()).toBe('before');
        const big = await parentEnd.recvBytes();
        expect(big.byteLength).toBe(3 * 1024 * 1024);
        expect(big.reduce((sum, byte) => sum + byte, 0)).toBe(sent);
        expect(await parentEnd.recv()).toBe('after');
      }));
  });
}
