/**
 * Class identity in workers: a task module that imports `@mproc/core` (assets/testing/
 * class-identity.mjs) gets objects and errors that are `instanceof` the classes it imported, in a
 * Pool task and as a Process target. It fails when a worker holds two copies of core, one for its
 * loop and one for the task's module.
 */

import { getContext, type Queue, type StartMethod } from '@mproc/core';
import { describe, expect, it } from 'vitest';
import { BOUND, withWorkers } from './bounded.js';

const FIXTURE = new URL('../assets/testing/class-identity.mjs', import.meta.url).href;

interface Fixture {
  classIdentities(objects: object): Promise<Record<string, boolean>>;
  reportClassIdentities(out: Queue<Record<string, boolean>>, objects: object): Promise<void>;
}

const EVERY_CLASS = {
  Queue: true,
  Lock: true,
  Value: true,
  Array: true,
  Event: true,
  Connection: true,
  Barrier: true,
  BrokenBarrierError: true,
  'BrokenBarrierError is MprocError': true,
  Empty: true,
  'Empty is MprocError': true,
};

export function identitySuite(method: StartMethod): void {
  const context = getContext(method);

  /** One of each object a task may test with instanceof; a fresh two-party barrier. */
  const objects = () => ({
    queue: context.Queue(),
    lock: context.Lock(),
    value: context.Value('i', 1),
    array: context.Array('d', 2),
    event: context.Event(),
    end: context.Pipe()[0],
    barrier: context.Barrier(2),
  });

  describe('class identity in a task module', () => {
    it('a Pool task that imports @mproc/core sees instanceof hold for what it gets and catches', () =>
      withWorkers(context, async (workers) => {
        const fixture = (await import(FIXTURE)) as Fixture;
        const pool = workers.pool({ processes: 1 });
        const sent = objects();
        expect(await pool.apply(fixture.classIdentities, [sent])).toEqual(EVERY_CLASS);
        // The worker's timed-out wait broke the barrier for every process.
        expect(await sent.barrier.broken()).toBe(true);
      }));

    it('so does a Process target from that module', () =>
      withWorkers(context, async (workers) => {
        const fixture = (await import(FIXTURE)) as Fixture;
        const out = context.Queue<Record<string, boolean>>();
        const child = workers.process({
          target: fixture.reportClassIdentities,
          args: [out, objects()],
        });
        await child.start();
        expect(await out.get({ timeout: BOUND })).toEqual(EVERY_CLASS);
        await child.join(BOUND);
        expect(child.exitCode).toBe(0);
      }));
  });
}
