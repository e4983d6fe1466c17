/**
 * SPEC 5 (Condition, Barrier) as tests, run once per backend, and on process backends a second time
 * on the fallback that runs without the native addon. Tasks are self-contained arrow functions sent by
 * source text. Every wait is bounded: by its timeout, by BOUND, or by the test timeout.
 */

import {
  type BackendCapabilities,
  type Barrier,
  BrokenBarrierError,
  type Condition,
  type Context,
  getContext,
  InvalidStateError,
  type Semaphore,
  type StartMethod,
  type Value,
} from '@mproc/core';
import { forceSharedMemoryFallback } from '@mproc/core/child';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPool } from './bounded.js';

/** Bound of any single wait in these tests, in ms. */
const BOUND = 10_000;

/** Takes `items` items from `buffer` as they are produced, telling every waiter after each one. */
const consume = async (condition: Condition, buffer: Value[], items: number) => {
  const [produced, consumed] = buffer;
  const taken: number[] = [];
  for (let index = 0; index < items; index++) {
    await condition.acquire();
    try {
      const ready = await condition.waitFor(() => produced.value > consumed.value, 10_000);
      if (!ready) throw new Error('no item within 10 s');
      taken.push(produced.value * 100 + consumed.value);
      consumed.value += 1;
      await condition.notifyAll();
    } finally {
      await condition.release();
    }
  }
  return taken;
};

/** Registers as a waiter (telling `ready` once it holds the lock), waits, and counts itself woken. */
const waitOnce = async (condition: Condition, ready: Semaphore, done: Semaphore, woken: Value) => {
  await condition.acquire();
  await ready.release();
  const notified = await condition.wait(10_000);
  woken.value += 1;
  await condition.release();
  await done.release();
  return notified;
};

/** Waits at a barrier, leaving `runs` where the barrier's action (`countRun`) finds it in this worker. */
const arrive = async (barrier: Barrier, runs: Value) => {
  (globalThis as { __mprocBarrierRuns?: Value }).__mprocBarrierRuns = runs;
  return barrier.wait(10_000);
};

/** Waits at a barrier and reports how that ended: the index, or the error's name. */
const arriveOrFail = (barrier: Barrier) =>
  barrier.wait(10_000).then(
    (index) => index,
    (error: Error) => error.name,
  );

/** A Barrier's action: it takes no arguments (as in Python), so it finds its counter in globalThis. */
const countRun = () => {
  const runs = (globalThis as { __mprocBarrierRuns?: Value }).__mprocBarrierRuns as Value;
  runs.value += 1;
};

async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + BOUND;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${BOUND} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function conditionCases(method: StartMethod): void {
  const context: Context = getContext(method);

  it('Condition: a producer in the parent and consumers in two workers hand over every item once', () =>
    withPool(context, { processes: 2 }, async (pool) => {
      const condition = context.Condition();
      const produced = context.Value('i', 0, { lock: false });
      const consumed = context.Value('i', 0, { lock: false });
      const consumers = pool.starmap(
        consume,
        [
          [condition, [produced, consumed], 5],
          [condition, [produced, consumed], 5],
        ],
        1,
      );
      for (let item = 0; item < 10; item++) {
        await condition.acquire();
        // One item at a time: the parent waits for the consumers as they wait for it.
        expect(await condition.waitFor(() => consumed.value === produced.value, BOUND)).toBe(true);
        produced.value += 1;
        await condition.notify();
        await condition.release();
      }
      const taken = (await consumers).flat();
      expect(taken.sort((a, b) => a - b)).toEqual([100, 201, 302, 403, 504, 605, 706, 807, 908, 1009]);
      expect(consumed.value).toBe(10);
    }));

  it('Condition: notify(1) wakes exactly one waiter, notifyAll() the rest', () =>
    withPool(context, { processes: 3 }, async (pool) => {
      const condition = context.Condition();
      const ready = context.Semaphore(0);
      const done = context.Semaphore(0);
      const woken = context.Value('i', 0, { lock: false });
      const waiters = pool.starmap(
        waitOnce,
        [0, 1, 2].map(() => [condition, ready, done, woken]),
        1,
      );
      for (let index = 0; index < 3; index++) expect(await ready.acquire({ timeout: BOUND })).toBe(true);
      // Each waiter released `ready` holding the lock: once we hold it, all three are waiting.
      await condition.acquire();
      await condition.notify(1);
      await condition.release();
      expect(await done.acquire({ timeout: BOUND })).toBe(true);
      expect(woken.value).toBe(1);
      expect(await done.acquire({ timeout: 100 })).toBe(false);
      await condition.acquire();
      await condition.notifyAll();
      await condition.release();
      for (let index = 0; index < 2; index++) expect(await done.acquire({ timeout: BOUND })).toBe(true);
      expect(woken.value).toBe(3);
      expect(await waiters).toEqual([true, true, true]);
    }));

  it('Condition: wait(timeout) resolves false with the lock held again; waiting or notifying unheld rejects', () =>
    withPool(context, { processes: 1 }, async (pool) => {
      for (const condition of [context.Condition(), context.Condition(context.Lock())]) {
        await expect(condition.wait(10)).rejects.toBeInstanceOf(InvalidStateError);
        await expect(condition.notify()).rejects.toBeInstanceOf(InvalidStateError);
        await expect(condition.notifyAll()).rejects.toBeInstanceOf(InvalidStateError);
        await condition.acquire();
        const started = performance.now();
        expect(await condition.wait(60)).toBe(false);
        expect(performance.now() - started).toBeGreaterThanOrEqual(55);
        const tried = await pool.apply((shared: Condition) => shared.acquire({ block: false }), [condition]);
        expect(tried).toBe(false);
        await condition.notify(); // nobody waits: nothing happens
        await condition.release();
        await expect(condition.wait(-1)).rejects.toBeInstanceOf(RangeError);
      }
      // An RLock held twice is released fully by wait() and held twice again afterwards.
      const condition = context.Condition(context.RLock());
      await condition.acquire();
      await condition.acquire();
      expect(await condition.wait(20)).toBe(false);
      await condition.release();
      expect(await pool.apply((shared: Condition) => shared.acquire({ block: false }), [condition])).toBe(
        false,
      );
      await condition.release();
      {
        await using _held = await condition.hold({ timeout: BOUND });
      }
      expect(() => context.Condition('lock' as never)).toThrow(TypeError);
    }));

  it('Condition: waitFor() resolves the predicate once another worker makes it true, or its last value', () =>
    withPool(context, { processes: 1 }, async (pool) => {
      const condition = context.Condition();
      const flag = context.Value('i', 0, { lock: false });
      await condition.acquire();
      const setter = pool.apply(
        async (shared: Condition, target: Value) => {
          await shared.acquire();
          target.value = 7;
          await shared.notifyAll();
          await shared.release();
        },
        [condition, flag],
      );
      // The worker cannot take the lock before this wait releases it.
      expect(await condition.waitFor(() => (flag.value === 7 ? 'seven' : ''), BOUND)).toBe('seven');
      await setter;
      expect(await condition.waitFor(async () => flag.value === 8, 30)).toBe(false);
      await condition.release();
    }));

  it('Barrier: three parties across two workers and the parent get indices 0, 1, 2; the action runs once', () =>
    withPool(context, { processes: 2 }, async (pool) => {
      const barrier = context.Barrier(3, countRun);
      const runs = context.Value('i', 0, { lock: false });
      expect(barrier.parties).toBe(3);
      for (let round = 1; round <= 2; round++) {
        const workers = pool.starmap(
          arrive,
          [
            [barrier, runs],
            [barrier, runs],
          ],
          1,
        );
        await until(async () => (await barrier.nWaiting()) === 2);
        const mine = await arrive(barrier, runs);
        expect([...(await workers), mine].sort()).toEqual([0, 1, 2]);
        // Index 2 arrived last and ran the action, once, before anyone was released.
        expect(runs.value).toBe(round);
        expect(await barrier.nWaiting()).toBe(0);
      }
    }));

  it('Barrier: abort() and reset() reject waiters with BrokenBarrierError; reset makes it usable again', () =>
    withPool(context, { processes: 1 }, async (pool) => {
      const barrier = context.Barrier(2);
      let waiting = pool.apply(arriveOrFail, [barrier]);
      await until(async () => (await barrier.nWaiting()) === 1);
      await barrier.abort();
      expect(await waiting).toBe('BrokenBarrierError');
      expect(await barrier.broken()).toBe(true);
      expect(await barrier.nWaiting()).toBe(0);
      await expect(barrier.wait(BOUND)).rejects.toBeInstanceOf(BrokenBarrierError);
      await barrier.reset();
      expect(await barrier.broken()).toBe(false);

      waiting = pool.apply(arriveOrFail, [barrier]);
      await until(async () => (await barrier.nWaiting()) === 1);
      await barrier.reset();
      expect(await waiting).toBe('BrokenBarrierError');
      expect(await barrier.broken()).toBe(false);

      waiting = pool.apply(arriveOrFail, [barrier]);
      const mine = await barrier.wait(BOUND);
      expect([mine, await waiting].sort()).toEqual([0, 1]);
    }));

  it('Barrier: a timeout breaks it for every waiter; an action that throws reaches its own caller', () =>
    withPool(context, { processes: 1 }, async (pool) => {
      const barrier = context.Barrier(3, null, 60);
      const waiting = pool.apply(arriveOrFail, [barrier]);
      const started = performance.now();
      await expect(barrier.wait()).rejects.toBeInstanceOf(BrokenBarrierError);
      expect(performance.now() - started).toBeGreaterThanOrEqual(55);
      expect(await waiting).toBe('BrokenBarrierError');
      expect(await barrier.broken()).toBe(true);
      await barrier.reset();

      const failing = context.Barrier(2, () => {
        throw new RangeError('action failed');
      });
      const other = pool.apply(arriveOrFail, [failing]);
      const mine = await failing.wait(BOUND).then(
        (index) => index,
        (error: Error) => error.name,
      );
      expect([mine, await other].sort()).toEqual(['BrokenBarrierError', 'RangeError']);
      expect(await failing.broken()).toBe(true);
      expect(() => context.Barrier(0)).toThrow(RangeError);
      expect(() => context.Barrier(2, Math.sqrt as never)).toThrow(TypeError);
    }));
}

/** Registers the Condition and Barrier tests for the start method `method`. */
export function conditionSuite(method: StartMethod, capabilities: BackendCapabilities): void {
  describe('Condition and Barrier', () => conditionCases(method));
  if (!capabilities.separateProcess) return;
  describe('Condition and Barrier without the native addon (fallback)', () => {
    beforeAll(() => forceSharedMemoryFallback(true));
    afterAll(() => forceSharedMemoryFallback(false));
    conditionCases(method);
  });
}
