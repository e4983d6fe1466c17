/**
 * SPEC 5 (Manager) as tests, run once per backend. A manager's objects live in its server thread (or,
 * without the native addon, in the main process); their proxies are passed to Pool workers and
 * Processes, whose changes the parent sees. Tasks are self-contained arrow functions sent by source text.
 */

import {
  type AcquirerProxy,
  type BackendCapabilities,
  type DictProxy,
  type Event,
  type EventProxy,
  getContext,
  InvalidStateError,
  type ListProxy,
  type NamespaceProxy,
  SerializationError,
  type StartMethod,
  SyncManager,
  type Value,
  type ValueProxy,
} from '@mproc/core';
import { forceSharedMemoryFallback } from '@mproc/core/child';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOUND, rejectionOf, within, withWorkers } from './bounded.js';
import { spawnParentScript } from './parent-process.js';

/** Adds one to `counter` `times` times, each under `lock`: exact only if the lock excludes. */
const lockedIncrements = async (counter: ValueProxy<number>, lock: AcquirerProxy, times: number) => {
  for (let index = 0; index < times; index++) {
    await lock.acquire();
    try {
      await counter.set((await counter.get()) + 1);
    } finally {
      await lock.release();
    }
  }
};

/** Reference tutorial 003's "separate memory" task: appends to both lists it gets. */
const appendToBoth = async (plain: number[][], managed: ListProxy<number[]>) => {
  plain.push([1]);
  await managed.append([1]);
};

/** Once `go` is set, appends 0..count-1 to `list`, one call at a time, then sets `done` to 1. */
const appendOnSignal = async (list: ListProxy<number>, go: Event, done: Value, count: number) => {
  await go.wait();
  for (let item = 0; item < count; item++) await list.append(item);
  done.value = 1;
};

/** Asks for `lock` (held elsewhere), says so on `ready`, and waits for it. */
const acquireAfterSaying = async (lock: AcquirerProxy, ready: Event) => {
  const acquiring = lock.acquire(); // its request is written before ready is set
  ready.set();
  await acquiring;
};

export function managerSuite(method: StartMethod, capabilities: BackendCapabilities): void {
  managerCases(method, true);
  if (!capabilities.separateProcess) return;
  describe('managers without the native addon (the main process keeps their objects)', () => {
    beforeAll(() => forceSharedMemoryFallback(true));
    afterAll(() => forceSharedMemoryFallback(false));
    managerCases(method, false);
  });
}

/** The manager tests; `onServer` when a server thread holds the objects and processes call it directly. */
function managerCases(method: StartMethod, onServer: boolean): void {
  const context = getContext(method);

  describe('Manager in one process', () => {
    it('list proxy: Python list operations, each a Promise; copy() gives a plain array', async () => {
      await using manager = await context.Manager();
      expect(manager).toBeInstanceOf(SyncManager);
      const list = manager.list([3, 1]);
      await list.append(4);
      await list.extend([1, 5]);
      await list.insert(0, 9);
      await list.insert(-1, 2);
      expect(await list.copy()).toEqual([9, 3, 1, 4, 1, 2, 5]);
      expect(await list.pop()).toBe(5);
      expect(await list.pop(0)).toBe(9);
      await list.remove(1);
      expect(await list.index(1)).toBe(2);
      expect(await list.count(1)).toBe(1);
      expect(await list.get(-1)).toBe(2);
      await list.set(0, 30);
      expect(await list.length()).toBe(4);
      expect(await list.copy()).toEqual([30, 4, 1, 2]);
      expect(await rejectionOf(list.get(10))).toBeInstanceOf(RangeError);
      expect(await rejectionOf(list.remove(99))).toBeInstanceOf(RangeError);
      expect(await rejectionOf(manager.list().pop())).toBeInstanceOf(RangeError);
      const nested = manager.list([{ a: [1] }]);
      expect(await nested.index({ a: [1] })).toBe(0); // compared by value, as Python's ==
      const copy = await nested.copy();
      (copy[0] as { a: number[] }).a.push(2);
      expect(await nested.get(0)).toEqual({ a: [1] }); // a copy: changing it changes nothing
    });

    it('dict proxy: get with a default, set, has, delete, keys, values, items, update, pop, clear, copy()', async () => {
      await using manager = await context.Manager();
      const dict = manager.dict<unknown>({ a: 1 });
      await dict.set('b', [2]);
      await dict.set(3, 'three');
      expect(await dict.get('a')).toBe(1);
      expect(await dict.get('missing', 'fallback')).toBe('fallback');
      expect(await dict.has('b')).toBe(true);
      expect(await dict.keys()).toEqual(['a', 'b', '3']);
      expect(await dict.values()).toEqual([1, [2], 'three']);
      expect(await dict.items()).toEqual([
        ['a', 1],
        ['b', [2]],
        ['3', 'three'],
      ]);
      await dict.update({ a: 10, c: 'c' });
      expect(await dict.delete('3')).toBe(true);
      expect(await dict.pop('c')).toBe('c');
      expect(await dict.pop('c', 'gone')).toBe('gone');
      expect(await rejectionOf(dict.pop('c'))).toBeInstanceOf(RangeError);
      expect(await dict.length()).toBe(2);
      expect(await dict.copy()).toEqual({ a: 10, b: [2] });
      await dict.clear();
      expect(await dict.copy()).toEqual({});
    });

    it('Namespace, Value, Lock and Event proxies', async () => {
      await using manager = await context.Manager();
      const namespace = manager.Namespace();
      await namespace.set('x', { deep: true });
      expect(await namespace.get('x')).toEqual({ deep: true });
      expect(await namespace.get('never set')).toBeUndefined();
      const typed = manager.Value('i', 7);
      const untyped = manager.Value('text');
      expect([await typed.get(), await untyped.get()]).toEqual([7, 'text']);
      await typed.set(8);
      expect(await typed.get()).toBe(8);
      const lock = manager.Lock();
      expect(await lock.acquire()).toBe(true);
      expect(await lock.acquire({ block: false })).toBe(false);
      expect(await lock.acquire({ timeout: 50 })).toBe(false);
      await lock.release();
      expect(await rejectionOf(lock.release())).toBeInstanceOf(InvalidStateError);
      {
        await using held = await lock.hold();
        expect(held).toBeDefined();
        expect(await lock.acquire({ block: false })).toBe(false);
      }
      expect(await lock.acquire({ block: false })).toBe(true);
      const event = manager.Event();
      expect(await event.isSet()).toBe(false);
      expect(await event.wait(20)).toBe(false);
      const waiting = event.wait();
      await event.set();
      expect(await within(waiting, BOUND, 'wait()')).toBe(true);
      await event.clear();
      expect(await event.isSet()).toBe(false);
    });

    it('a program that never shuts its Manager down still exits when its work is done', async () => {
      const parent = await spawnParentScript(`
        import { getContext } from '@mproc/core';
        ${onServer ? '' : "import { forceSharedMemoryFallback } from '@mproc/core/child'; forceSharedMemoryFallback(true);"}
        const manager = await getContext(${JSON.stringify(method)}).Manager();
        const list = manager.list([1]);
        await list.append(2);
        console.log(await list.length());
      `);
      try {
        const { stdout } = await within(parent.output(), BOUND, 'the parent script');
        expect(stdout).toBe('2\n');
      } finally {
        parent.kill('SIGKILL');
      }
    });

    it('shutdown(): waiting calls and later calls reject with InvalidStateError; no new objects', async () => {
      const manager = await context.Manager();
      const list = manager.list([1]);
      const queue = manager.Queue<number>();
      const waiting = queue.get();
      await manager.shutdown();
      const error = await rejectionOf(waiting);
      expect(error).toBeInstanceOf(InvalidStateError);
      expect(error.message).toMatch(/Manager .*shut down/);
      expect(await rejectionOf(list.copy())).toBeInstanceOf(InvalidStateError);
      expect(() => manager.list()).toThrow(InvalidStateError);
      await manager.shutdown(); // again: nothing
    });
  });

  describe('Manager across workers', () => {
    it('list, dict, Namespace and Value changed by Pool workers are seen by the parent', () =>
      withWorkers(context, async (workers) => {
        await using manager = await context.Manager();
        const pool = workers.pool({ processes: 2 });
        const list = manager.list<number>();
        const dict = manager.dict<number>();
        const namespace = manager.Namespace();
        const value = manager.Value('i', 0);
        await within(
          pool.starmap(
            async (
              item: number,
              l: ListProxy<number>,
              d: DictProxy<number>,
              n: NamespaceProxy,
              v: ValueProxy<number>,
            ) => {
              await l.append(item);
              await d.set(`key${item}`, item * item);
              await n.set(`attribute${item}`, item);
              if (item === 3) await v.set(42);
            },
            [1, 2, 3, 4].map((item) => [item, list, dict, namespace, value]),
            1,
          ),
          BOUND,
          'the tasks',
        );
        expect((await list.copy()).sort()).toEqual([1, 2, 3, 4]);
        expect(await dict.copy()).toEqual({ key1: 1, key2: 4, key3: 9, key4: 16 });
        expect(await namespace.get('attribute3')).toBe(3);
        expect(await value.get()).toBe(42);
      }));

    it('4 workers × 50 increments of a manager Value under the manager Lock end at exactly 200', () =>
      withWorkers(context, async (workers) => {
        await using manager = await context.Manager();
        const pool = workers.pool({ processes: 4 });
        const counter = manager.Value('i', 0);
        const lock = manager.Lock();
        await within(
          Promise.all(Array.from({ length: 4 }, () => pool.apply(lockedIncrements, [counter, lock, 50]))),
          3 * BOUND,
          'the increments',
        );
        expect(await counter.get()).toBe(200);
      }));

    it('workers waiting on a manager Event are released when the parent sets it', () =>
      withWorkers(context, async (workers) => {
        await using manager = await context.Manager();
        const pool = workers.pool({ processes: 2 });
        const event = manager.Event();
        const ready = manager.Queue<string>();
        const waiter = async (e: EventProxy, r: typeof ready) => {
          const waited = e.wait();
          await r.put('waiting');
          return waited;
        };
        const results = Promise.all([pool.apply(waiter, [event, ready]), pool.apply(waiter, [event, ready])]);
        await ready.get({ timeout: BOUND });
        await ready.get({ timeout: BOUND });
        await event.set();
        expect(await within(results, BOUND, 'the waiters')).toEqual([true, true]);
      }));

    it("tutorial 003's separate memory: a plain array appended in a child is not seen by the parent; a Manager list is", () =>
      withWorkers(context, async (workers) => {
        await using manager = await context.Manager();
        const plain: number[][] = [];
        const managed = manager.list<number[]>();
        const child = workers.process({ target: appendToBoth, args: [plain, managed] });
        await child.start();
        await child.join(BOUND);
        expect(child.exitCode).toBe(0);
        expect(plain).toEqual([]);
        expect(await managed.copy()).toEqual([[1]]);
      }));

    it('a Process killed while it waits for a manager Lock is never handed the lock', () =>
      withWorkers(context, async (workers) => {
        await using manager = await context.Manager();
        const lock = manager.Lock();
        const ready = context.Event();
        await lock.acquire();
        const child = workers.process({ target: acquireAfterSaying, args: [lock, ready] });
        await child.start();
        expect(await ready.wait(BOUND)).toBe(true);
        child.kill();
        await child.join(BOUND);
        await lock.release();
        expect(await lock.acquire({ timeout: BOUND })).toBe(true);
      }));

    // Only a server can do this: the broker answers from the main process's event loop.
    if (onServer) {
      it("a Process's proxy calls are answered while the main process runs a synchronous loop", () =>
        withWorkers(context, async (workers) => {
          await using manager = await context.Manager();
          const list = manager.list<number>();
          const go = context.Event();
          const done = context.Value('i', 0, { lock: false });
          const child = workers.process({ target: appendOnSignal, args: [list, go, done, 2_000] });
          await within(child.start(), BOUND, 'the child starts');
          go.set();
          // The main process does not return to its event loop until the child is done or the bound
          // has passed: the calls must be answered without it (Python's manager is a process of its own).
          const deadline = performance.now() + 3 * BOUND;
          while (done.value === 0 && performance.now() < deadline) {
            // busy, as a main process computing
          }
          expect(done.value, 'the child finished during the loop').toBe(1);
          expect(await list.length()).toBe(2_000);
          await within(child.join(), BOUND, 'the child ends');
        }));
    }

    it("a value a proxy cannot send fails that call with SerializationError, even as a worker's first call; the proxy goes on", () =>
      withWorkers(context, async (workers) => {
        await using manager = await context.Manager();
        const list = manager.list<unknown>();
        expect(await rejectionOf(list.append(() => 1))).toBeInstanceOf(SerializationError);
        const pool = workers.pool({ processes: 1 });
        const name = await pool.apply(
          async (shared: ListProxy<unknown>) => {
            let failed = 'nothing';
            try {
              await shared.append(Symbol('unsendable'));
            } catch (error) {
              failed = (error as Error).name;
            }
            await shared.append('sent after it');
            return failed;
          },
          [list],
        );
        expect(name).toBe('SerializationError');
        expect(await list.copy()).toEqual(['sent after it']);
      }));

    it('a Manager made in a worker works there and its proxies work in the parent', () =>
      withWorkers(context, async (workers) => {
        const pool = workers.pool({ processes: 1 });
        const list = (await pool.apply(async () => {
          const load = new Function('specifier', 'return import(specifier)');
          const mproc = (await load('@mproc/core')) as typeof import('@mproc/core');
          const manager = await mproc.Manager();
          const made = manager.list(['made in a worker']);
          await made.append('and appended there');
          return made;
        })) as unknown as ListProxy<string>;
        expect(await list.copy()).toEqual(['made in a worker', 'and appended there']);
      }));
  });
}
