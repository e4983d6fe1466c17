/**
 * SPEC 5 (Queue, SimpleQueue, JoinableQueue) as tests, run once per backend. Queues live in the main
 * process; these tests pass them to Pool workers and Processes both ways, at the depths SPEC 3 names
 * (task arguments, Process args, initArgs, inside another queue's items), and race many producers and
 * consumers. Tasks are self-contained arrow functions sent by source text: they get their queues
 * through their arguments, and reach mproc's API with a dynamic import when they need it.
 */

import {
  type BackendCapabilities,
  Empty,
  type Event,
  Full,
  getContext,
  JoinableQueue,
  Queue,
  QueueClosedError,
  SerializationError,
  SimpleQueue,
  type StartMethod,
  type Value,
  WorkerExitedError,
} from '@mproc/core';
import { forceSharedMemoryFallback } from '@mproc/core/child';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOUND, rejectionOf, within, withWorkers } from './bounded.js';

/** Puts `values` into `queue`, one by one. */
const putAll = async (queue: Queue, values: unknown[]) => {
  for (const value of values) await queue.put(value);
};

/** Gets `count` items from `queue` and returns them. */
const getSome = async (queue: Queue, count: number) => {
  const items: unknown[] = [];
  for (let index = 0; index < count; index++) items.push(await queue.get());
  return items;
};

/** Doubles every number from `inbox` into `outbox` until it gets a negative one. */
const doubler = async (inbox: Queue<number>, outbox: Queue<number>) => {
  for (;;) {
    const value = await inbox.get();
    if (value < 0) return;
    await outbox.put(value * 2);
  }
};

/** The `first`..`first + count - 1` numbers, put in batches of `batch`, one put awaited at a time. */
const produce = async (queue: Queue<number[] | null>, first: number, count: number, batch: number) => {
  for (let start = first; start < first + count; start += batch) {
    const items: number[] = [];
    for (let item = start; item < Math.min(start + batch, first + count); item++) items.push(item);
    await queue.put(items);
  }
};

/**
 * Takes batches with `window` gets waiting at once until a null comes, then reports every number it
 * got on `results`. Each of its `window` loops ends on its own null or after a last item, so `window`
 * nulls per consumer end them all.
 */
const consume = async (queue: Queue<number[] | null>, results: Queue<number[]>, window: number) => {
  const got: number[] = [];
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const batch = await queue.get();
      if (batch === null) {
        stopped = true;
        return;
      }
      for (const item of batch) got.push(item);
    }
  };
  await Promise.all(Array.from({ length: window }, loop));
  await results.put(got);
};

/** Waits in `get` on `queue`, says so on `ready`, then dies when told on `release`. */
const dieWhileGetting = async (queue: Queue, ready: Queue, release: Queue) => {
  void queue.get();
  await ready.put('waiting');
  await release.get();
  process.exit(3);
};

/** Puts `count` numbers into `queue` once `go` is set. */
const produceOnSignal = async (queue: Queue<number>, go: Event, count: number) => {
  await go.wait();
  for (let item = 0; item < count; item++) await queue.put(item);
};

/** Gets `count` numbers from `queue`, then stores their sum in `done` (0 until then). */
const consumeIntoValue = async (queue: Queue<number>, done: Value, count: number) => {
  let sum = 0;
  for (let index = 0; index < count; index++) sum += await queue.get();
  done.value = sum;
};

/** Puts `count` strings of about 1 KiB, numbered, without awaiting them, and returns. */
const putKilobytes = (queue: Queue<string>, count: number) => {
  for (let item = 0; item < count; item++) void queue.put(`${item}:${'x'.repeat(1_000)}`);
};

/** Puts numbers from 0 up until killed, saying on `ready` once it has put 1,000. */
const putUntilKilled = async (queue: Queue<number>, ready: Event) => {
  for (let item = 0; ; item++) {
    await queue.put(item);
    if (item === 1_000) ready.set();
  }
};

/** Waits in `get` on `queue`, says so on `ready`, then reports the item it got on `results`. */
const getAfterSaying = async (queue: Queue, ready: Queue, results: Queue) => {
  const item = queue.get();
  await ready.put('waiting');
  await results.put(await item);
};

/**
 * Registers the queue tests for the start method `method`: on rings in shared memory, and, for
 * backends of separate processes, again on the main process's broker (no native addon).
 */
export function queueSuite(method: StartMethod, capabilities: BackendCapabilities): void {
  queueCases(method, capabilities, true);
  if (!capabilities.separateProcess) return;
  describe('queues without the native addon (the main process keeps them)', () => {
    beforeAll(() => forceSharedMemoryFallback(true));
    afterAll(() => forceSharedMemoryFallback(false));
    queueCases(method, capabilities, false);
  });
}

/** The queue tests; `onRings` when queues are rings that processes use directly. */
function queueCases(method: StartMethod, capabilities: BackendCapabilities, onRings: boolean): void {
  const context = getContext(method);
  const isProcess = capabilities.separateProcess;

  describe('Queue in one process', () => {
    it('is FIFO; qsize, empty and full read its state; the factories make the exported classes', async () => {
      const queue = context.Queue<number>(2);
      expect(queue).toBeInstanceOf(Queue);
      expect(await queue.empty()).toBe(true);
      await queue.put(1);
      await queue.putNowait(2);
      expect(await queue.qsize()).toBe(2);
      expect(await queue.full()).toBe(true);
      expect(await queue.get()).toBe(1);
      expect(await queue.getNowait()).toBe(2);
      expect(await queue.empty()).toBe(true);
      expect(context.SimpleQueue()).toBeInstanceOf(SimpleQueue);
      const joinable = context.JoinableQueue();
      expect(joinable).toBeInstanceOf(JoinableQueue);
      expect(joinable).toBeInstanceOf(Queue);
      expect(() => context.Queue(1.5)).toThrow(TypeError);
    });

    it('items are copies: changing an object after put() does not change the queued one', async () => {
      const queue = context.Queue<{ n: number; when: Date }>();
      const item = { n: 1, when: new Date(0) };
      await queue.put(item);
      item.n = 2;
      const got = await queue.get();
      expect(got).toEqual({ n: 1, when: new Date(0) });
      expect(got).not.toBe(item);
    });

    it('get({ block: false }) and get({ timeout }) reject with Empty; the timeout is in ms', async () => {
      const queue = context.Queue();
      expect(await rejectionOf(queue.get({ block: false }))).toBeInstanceOf(Empty);
      expect(await rejectionOf(queue.getNowait())).toBeInstanceOf(Empty);
      const started = performance.now();
      const error = await rejectionOf(queue.get({ timeout: 100 }));
      expect(error).toBeInstanceOf(Empty);
      expect(Empty.isInstance(error)).toBe(true);
      expect(performance.now() - started).toBeGreaterThanOrEqual(90);
      expect(await rejectionOf(queue.get({ timeout: -1 }))).toBeInstanceOf(RangeError);
    });

    it('putNowait and put({ timeout }) on a full queue reject with Full; a blocked put goes in once there is room', async () => {
      const queue = context.Queue<string>(1);
      await queue.put('first');
      expect(await rejectionOf(queue.putNowait('x'))).toBeInstanceOf(Full);
      expect(await rejectionOf(queue.put('x', { timeout: 50 }))).toBeInstanceOf(Full);
      const blocked = queue.put('second');
      expect(await queue.get()).toBe('first');
      await within(blocked, BOUND, 'the blocked put');
      expect(await queue.get()).toBe('second');
    });

    it('puts waiting together for room each deliver their own item', async () => {
      const queue = context.Queue<unknown>(1);
      const items: unknown[] = ['first', 'second', 3, { n: 4 }, ['five']];
      await queue.put(items[0]);
      const blocked = items.slice(1).map((item) => queue.put(item));
      const got: unknown[] = [];
      for (const _ of items) got.push(await queue.get({ timeout: BOUND }));
      await within(Promise.all(blocked), BOUND, 'the blocked puts');
      const key = (item: unknown) => JSON.stringify(item);
      expect(got.map(key).sort()).toEqual(items.map(key).sort());
    });

    it('close(): get and put reject with QueueClosedError, also a get already waiting', async () => {
      const queue = context.Queue();
      const waiting = queue.get();
      await queue.close();
      expect(await rejectionOf(waiting)).toBeInstanceOf(QueueClosedError);
      expect(await rejectionOf(queue.get())).toBeInstanceOf(QueueClosedError);
      expect(await rejectionOf(queue.put(1))).toBeInstanceOf(QueueClosedError);
      await queue.close(); // again: nothing
      const simple = context.SimpleQueue();
      await simple.close();
      expect(await rejectionOf(simple.get())).toBeInstanceOf(QueueClosedError);
    });

    it('for await yields items as they arrive, until the caller breaks or the handle is closed', async () => {
      const queue = context.Queue<number>();
      await queue.put(1);
      await queue.put(2);
      const seen: number[] = [];
      const iterating = (async () => {
        for await (const item of queue) {
          seen.push(item);
          if (item === 3) break;
        }
      })();
      await queue.put(3);
      await within(iterating, BOUND, 'the loop');
      expect(seen).toEqual([1, 2, 3]);
      const rest: number[] = [];
      const untilClosed = (async () => {
        for await (const item of queue) {
          rest.push(item);
          await queue.close();
        }
      })();
      await queue.put(4);
      await within(untilClosed, BOUND, 'the loop ended by close()');
      expect(rest).toEqual([4]);
    });

    it('an item that cannot be sent rejects put() with the path of the value', async () => {
      const queue = context.Queue();
      const error = await rejectionOf(queue.put({ cb: () => 1 }));
      expect(error).toBeInstanceOf(SerializationError);
      expect(error.message).toContain('.cb is a function');
      expect(await queue.qsize()).toBe(0);
    });

    it('JoinableQueue: join() waits for a taskDone() per item; one taskDone() too many rejects with RangeError', async () => {
      const queue = context.JoinableQueue<number>();
      await queue.join(); // nothing put: at once
      await queue.put(1);
      await queue.put(2);
      let joined = false;
      const joining = queue.join().then(() => {
        joined = true;
      });
      await queue.get();
      await queue.taskDone();
      await queue.qsize(); // a round trip: join() has had its chance to resolve wrongly
      expect(joined).toBe(false);
      await queue.get();
      await queue.taskDone();
      await within(joining, BOUND, 'join()');
      expect(await rejectionOf(queue.taskDone())).toBeInstanceOf(RangeError);
    });
  });

  describe('Queue across workers', () => {
    it('Pool workers put and the parent gets; the parent puts and Pool workers get', () =>
      withWorkers(context, async (workers) => {
        const pool = workers.pool({ processes: 2 });
        const queue = context.Queue<number>();
        await within(
          Promise.all([pool.apply(putAll, [queue, [1, 2, 3]]), pool.apply(putAll, [queue, [4, 5]])]),
          BOUND,
          'the puts',
        );
        const got = [];
        for (let index = 0; index < 5; index++) got.push(await queue.get({ timeout: BOUND }));
        expect(got.sort()).toEqual([1, 2, 3, 4, 5]);
        const getting = pool.apply(getSome, [queue, 3]);
        for (const value of [7, 8, 9]) await queue.put(value);
        expect(await within(getting, BOUND, 'the worker')).toEqual([7, 8, 9]);
      }));

    it('items arrive as structured clone gives them: lone surrogates, -0, records, shared references, Dates', () =>
      withWorkers(context, async (workers) => {
        const pool = workers.pool({ processes: 1 });
        const queue = context.Queue<unknown>();
        const shared = { n: 1 };
        const items = [
          'a\uD800b',
          { text: 'é\uDC00', zero: -0, list: [1, 'two', null, undefined, true] },
          { a: shared, b: shared },
          new Date(0),
          Object.assign(Object.create(null) as object, { bare: 1 }),
        ];
        for (const item of items) await queue.put(item);
        const got = (await within(
          pool.apply(getSome, [queue, items.length]),
          BOUND,
          'the worker',
        )) as unknown[];
        expect(got).toStrictEqual(structuredClone(items));
        const pair = got[2] as { a: object; b: object };
        expect(pair.a).toBe(pair.b);
      }));

    it('a Process gets from one queue and puts into another: both ways between parent and child', () =>
      withWorkers(context, async (workers) => {
        const inbox = context.Queue<number>();
        const outbox = context.Queue<number>();
        const child = workers.process({ target: doubler, args: [inbox, outbox] });
        await child.start();
        for (const value of [1, 2, 3]) await inbox.put(value);
        const doubled = [];
        for (let index = 0; index < 3; index++) doubled.push(await outbox.get({ timeout: BOUND }));
        expect(doubled).toEqual([2, 4, 6]);
        await inbox.put(-1);
        await child.join(BOUND);
        expect(child.exitCode).toBe(0);
      }));

    it("a Process's put() that its target did not await is still delivered before the child exits", () =>
      withWorkers(context, async (workers) => {
        const queue = context.Queue<string>();
        const child = workers.process({
          target: (q: Queue<string>) => {
            void q.put('not awaited');
          },
          args: [queue],
        });
        await child.start();
        await child.join(BOUND);
        expect(await queue.get({ timeout: BOUND })).toBe('not awaited');
      }));

    it('a queue in initArgs, inside an item of another queue, and made in a worker works everywhere', () =>
      withWorkers(context, async (workers) => {
        const fromInit = context.Queue<string>();
        const pool = workers.pool({
          processes: 1,
          initializer: (queue: Queue<string>) => {
            (globalThis as { __mprocTestQueue?: Queue<string> }).__mprocTestQueue = queue;
          },
          initArgs: [fromInit],
        });
        await pool.apply(async () => {
          await (globalThis as { __mprocTestQueue?: Queue<string> }).__mprocTestQueue?.put('from initArgs');
        });
        expect(await fromInit.get({ timeout: BOUND })).toBe('from initArgs');

        const carrier = context.Queue<{ reply: Queue<string> }>();
        const reply = context.Queue<string>();
        await carrier.put({ reply });
        await pool.apply(
          async (queue: Queue<{ reply: Queue<string> }>) => {
            const { reply: inner } = await queue.get();
            await inner.put('through a queue in a queue');
          },
          [carrier],
        );
        expect(await reply.get({ timeout: BOUND })).toBe('through a queue in a queue');

        const made = (await pool.apply(async () => {
          const load = new Function('specifier', 'return import(specifier)');
          const mproc = (await load('@mproc/core')) as typeof import('@mproc/core');
          const queue = new mproc.Queue<string>();
          await queue.put('made in a worker');
          return queue;
        })) as unknown as Queue<string>;
        expect(made).toBeInstanceOf(Queue);
        expect(await made.get({ timeout: BOUND })).toBe('made in a worker');
      }));

    it('errors of a worker-side call keep their class: Empty, Full, QueueClosedError', () =>
      withWorkers(context, async (workers) => {
        const pool = workers.pool({ processes: 1 });
        const full = context.Queue(1);
        await full.put(0);
        const names = await pool.apply(
          async (empty: Queue, fullQueue: Queue) => {
            const names: string[] = [];
            for (const attempt of [
              () => empty.get({ timeout: 20 }),
              () => fullQueue.putNowait(1),
              async () => {
                await empty.close();
                return empty.get();
              },
            ]) {
              try {
                await attempt();
              } catch (error) {
                names.push((error as Error).name);
              }
            }
            return names;
          },
          [context.Queue(), full],
        );
        expect(names).toEqual(['Empty', 'Full', 'QueueClosedError']);
      }));

    it('JoinableQueue: workers mark items done; join() in the parent resolves after the last one', () =>
      withWorkers(context, async (workers) => {
        const pool = workers.pool({ processes: 2 });
        const queue = context.JoinableQueue<number>();
        for (let item = 0; item < 10; item++) await queue.put(item);
        const worker = async (q: JoinableQueue<number>, count: number) => {
          let sum = 0;
          for (let index = 0; index < count; index++) {
            sum += await q.get();
            await q.taskDone();
          }
          return sum;
        };
        const sums = Promise.all([pool.apply(worker, [queue, 5]), pool.apply(worker, [queue, 5])]);
        await within(queue.join(), BOUND, 'join()');
        expect((await sums).reduce((a, b) => a + b)).toBe(45);
        const tooMany = await pool.apply(
          async (q: JoinableQueue<number>) => {
            try {
              await q.taskDone();
              return 'no error';
            } catch (error) {
              return (error as Error).name;
            }
          },
          [queue],
        );
        expect(tooMany).toBe('RangeError');
      }));

    // Only rings can do this: the broker answers from the main process's event loop.
    if (onRings) {
      it('2,000 items pass from one Process to another while the main process runs a synchronous loop', () =>
        withWorkers(context, async (workers) => {
          const count = 2_000;
          const queue = context.Queue<number>();
          const go = context.Event();
          const done = context.Value('d', 0, { lock: false });
          const consumer = workers.process({ target: consumeIntoValue, args: [queue, done, count] });
          const producer = workers.process({ target: produceOnSignal, args: [queue, go, count] });
          await within(Promise.all([consumer.start(), producer.start()]), BOUND, 'the children start');
          go.set();
          // The main process does not return to its event loop until the consumer is done or the bound
          // has passed: the items must pass without it (Python's queues are pipes between the two).
          const deadline = performance.now() + 3 * BOUND;
          while (done.value === 0 && performance.now() < deadline) {
            // busy, as a main process computing
          }
          expect(done.value, 'the consumer finished during the loop').toBe((count * (count - 1)) / 2);
          await within(Promise.all([consumer.join(), producer.join()]), BOUND, 'the children end');
        }));
    }

    it('SimpleQueue passes items between a Process and the parent', () =>
      withWorkers(context, async (workers) => {
        const queue = context.SimpleQueue<string>();
        const child = workers.process({
          target: async (q: SimpleQueue<string>) => {
            const item = await q.get();
            await q.put(`${item} back`);
          },
          args: [queue],
        });
        await child.start();
        await queue.put('there');
        await child.join(BOUND);
        expect(await within(queue.get(), BOUND, 'get()')).toBe('there back');
        expect(await queue.empty()).toBe(true);
      }));
  });

  describe('Queue traffic that passes no main process', () => {
    it('an unbounded queue takes 4 MiB of puts with no reader, none waits, and they come out in order', async () => {
      const queue = context.Queue<string>();
      const count = 4_000;
      const puts = Array.from({ length: count }, (_, item) => queue.put(`${item}:${'x'.repeat(1_000)}`));
      await within(Promise.all(puts), BOUND, 'the puts');
      expect(await queue.qsize()).toBe(count);
      for (let item = 0; item < count; item++) {
        expect((await queue.get({ timeout: BOUND })).split(':')[0]).toBe(String(item));
      }
      expect(await queue.empty()).toBe(true);
    });

    it('a child that puts more than the queue holds and exits is joined before anyone gets: nothing is lost', () =>
      withWorkers(context, async (workers) => {
        const queue = context.Queue<string>();
        const count = 2_000;
        const child = workers.process({ target: putKilobytes, args: [queue, count] });
        await child.start();
        await child.join(BOUND); // Python's child would wait here for a reader; this one hands its items over
        expect(child.exitCode).toBe(0);
        for (let item = 0; item < count; item++) {
          expect((await queue.get({ timeout: BOUND })).split(':')[0]).toBe(String(item));
        }
      }));

    it('items larger than the ring, and items around them, keep their order between processes', () =>
      withWorkers(context, async (workers) => {
        const pool = workers.pool({ processes: 1 });
        const queue = context.Queue<Uint8Array | string>();
        const sent = await pool.apply(
          async (q: Queue<Uint8Array | string>) => {
            const big = new Uint8Array(3 * 1024 * 1024).map((_, index) => index % 251);
            await q.put('before');
            await q.put(big);
            await q.put('after');
            return big.reduce((sum, byte) => sum + byte, 0);
          },
          [queue],
        );
        expect(await queue.get({ timeout: BOUND })).toBe('before');
        const big = (await queue.get({ timeout: BOUND })) as Uint8Array;
        expect(big.byteLength).toBe(3 * 1024 * 1024);
        expect(big.reduce((sum, byte) => sum + byte, 0)).toBe(sent);
        expect(await queue.get({ timeout: BOUND })).toBe('after');
      }));

    it('a bounded queue makes a child wait for room that the parent frees', () =>
      withWorkers(context, async (workers) => {
        const queue = context.Queue<number>(3);
        const child = workers.process({ target: putAll, args: [queue, [1, 2, 3, 4, 5, 6]] });
        await child.start();
        const got: number[] = [];
        for (let index = 0; index < 6; index++) {
          got.push(await queue.get({ timeout: BOUND }));
          expect(await queue.qsize()).toBeLessThanOrEqual(3);
        }
        await child.join(BOUND);
        expect(got).toEqual([1, 2, 3, 4, 5, 6]);
      }));

    it('a producer SIGKILLed in the middle of its puts leaves the queue whole: a prefix of its items, in order, and the queue goes on', () =>
      withWorkers(context, async (workers) => {
        const queue = context.Queue<number>();
        const ready = context.Event();
        const child = workers.process({ target: putUntilKilled, args: [queue, ready] });
        await child.start();
        expect(await ready.wait(BOUND)).toBe(true);
        child.kill();
        await child.join(BOUND);
        const got: number[] = [];
        for (;;) {
          try {
            got.push(await queue.get({ block: false }));
          } catch (error) {
            expect(error).toBeInstanceOf(Empty);
            break;
          }
        }
        expect(got.length).toBeGreaterThan(1_000);
        expect(got.findIndex((item, index) => item !== index)).toBe(-1);
        await queue.put(-1);
        expect(await queue.get({ timeout: BOUND })).toBe(-1);
      }));
  });

  describe('Queue races', () => {
    it(
      '8 producers and 8 consumers pass 100,000 items through one Queue: each is delivered exactly once',
      {
        timeout: 60_000,
      },
      () =>
        withWorkers(context, async (workers) => {
          const total = 100_000;
          const producers = 8;
          const consumers = 8;
          const window = 4;
          // Items travel in batches so the run takes seconds: fewer, larger messages between processes.
          const batch = isProcess ? 25 : 5;
          const queue = context.Queue<number[] | null>();
          const results = context.Queue<number[]>();
          const children = Array.from({ length: consumers }, () =>
            workers.process({ target: consume, args: [queue, results, window] }),
          );
          await within(Promise.all(children.map((child) => child.start())), BOUND, 'the consumers start');
          const pool = workers.pool({ processes: 4 });
          const share = total / producers;
          await within(
            Promise.all(
              Array.from({ length: producers }, (_, index) =>
                pool.apply(produce, [queue, index * share, share, batch]),
              ),
            ),
            3 * BOUND,
            'the producers',
          );
          for (let index = 0; index < consumers * window; index++) await queue.put(null);
          const delivered: number[] = [];
          for (let index = 0; index < consumers; index++) {
            for (const item of await results.get({ timeout: 3 * BOUND })) delivered.push(item);
          }
          await Promise.all(children.map((child) => child.join(BOUND)));
          expect(children.map((child) => child.exitCode)).toEqual(new Array(consumers).fill(0));
          expect(delivered.length).toBe(total);
          delivered.sort((a, b) => a - b);
          const misplaced = delivered.findIndex((item, index) => item !== index);
          expect(misplaced, `item ${misplaced} lost or delivered twice`).toBe(-1);
        }),
    );

    it('a Process that dies while waiting in get() does not take a later item: the next waiter gets it', () =>
      withWorkers(context, async (workers) => {
        const queue = context.Queue<string>();
        const ready = context.Queue<string>();
        const release = context.Queue<string>();
        const results = context.Queue<string>();
        const dying = workers.process({ target: dieWhileGetting, args: [queue, ready, release] });
        await dying.start();
        expect(await ready.get({ timeout: BOUND })).toBe('waiting'); // its get() waits, first in line
        const next = workers.process({ target: getAfterSaying, args: [queue, ready, results] });
        await next.start();
        expect(await ready.get({ timeout: BOUND })).toBe('waiting');
        await release.put('die');
        await dying.join(BOUND);
        expect(dying.exitCode).toBe(3);
        await queue.put('item');
        expect(await results.get({ timeout: BOUND })).toBe('item');
        await next.join(BOUND);
      }));

    it('a Pool worker that dies while waiting in get() does not take a later item; the pool goes on', () =>
      withWorkers(context, async (workers) => {
        const pool = workers.pool({ processes: 1 });
        const queue = context.Queue<string>();
        const ready = context.Queue<string>();
        const task = pool.apply(
          async (q: Queue<string>, r: Queue<string>) => {
            void q.get();
            await r.put('waiting');
            process.exit(3);
          },
          [queue, ready],
        );
        expect(await ready.get({ timeout: BOUND })).toBe('waiting');
        expect(await rejectionOf(task, 'the dying task')).toBeInstanceOf(WorkerExitedError);
        await queue.put('item');
        expect(await queue.get({ timeout: BOUND })).toBe('item');
        expect(await pool.apply(getSome, [queue, 0])).toEqual([]);
      }));

    it("a child's child reaches the queue through its parent; when it dies waiting, its get() is withdrawn", () =>
      withWorkers(context, async (workers) => {
        const queue = context.Queue<string>();
        const ready = context.Queue<string>();
        const child = workers.process({
          target: async (startMethod: StartMethod, q: Queue<string>, r: Queue<string>) => {
            const load = new Function('specifier', 'return import(specifier)');
            const { getContext: contextOf } = (await load('@mproc/core')) as typeof import('@mproc/core');
            const grandchild = contextOf(startMethod).Process({
              target: async (inner: Queue<string>, signal: Queue<string>) => {
                void inner.get();
                await signal.put('grandchild waiting');
                process.exit(3);
              },
              args: [q, r],
            });
            await grandchild.start();
            await grandchild.join();
            await r.put(`grandchild exited with ${grandchild.exitCode}`);
          },
          args: [method, queue, ready],
        });
        await child.start();
        expect(await ready.get({ timeout: BOUND })).toBe('grandchild waiting');
        expect(await ready.get({ timeout: BOUND })).toBe('grandchild exited with 3');
        await queue.put('item');
        expect(await queue.get({ timeout: BOUND })).toBe('item');
        await child.join(BOUND);
        expect(child.exitCode).toBe(0);
      }));
  });
}
