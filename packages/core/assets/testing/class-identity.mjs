/**
 * A task module as users write one: it imports @mproc/core by name. The conformance suite sends
 * these functions to workers to check that what a task receives, and what it catches, is
 * `instanceof` the classes this module imported (core is loaded once per process, whatever loaded
 * the worker's own loop).
 */
import {
  Barrier,
  BrokenBarrierError,
  Connection,
  Empty,
  Event,
  Lock,
  MprocError,
  Queue,
  Array as SharedArray,
  task,
  Value,
} from '@mproc/core';

/** For each object and error a task meets, whether it is an instance of the class imported here. */
export const classIdentities = task(
  async ({ queue, lock, value, array, event, end, barrier }) => {
    // The only waiter of a two-party barrier: its timeout breaks the barrier.
    const barrierError = await barrier.wait(50).then(
      () => undefined,
      (error) => error,
    );
    const emptyError = await queue.getNowait().then(
      () => undefined,
      (error) => error,
    );
    return {
      Queue: queue instanceof Queue,
      Lock: lock instanceof Lock,
      Value: value instanceof Value,
      Array: array instanceof SharedArray,
      Event: event instanceof Event,
      Connection: end instanceof Connection,
      Barrier: barrier instanceof Barrier,
      BrokenBarrierError: barrierError instanceof BrokenBarrierError,
      'BrokenBarrierError is MprocError': barrierError instanceof MprocError,
      Empty: emptyError instanceof Empty,
      'Empty is MprocError': emptyError instanceof MprocError,
    };
  },
  { module: import.meta.url, name: 'classIdentities' },
);

/** classIdentities, reported on `out`: the target of a Process. */
export const reportClassIdentities = task(
  async (out, objects) => {
    await out.put(await classIdentities(objects));
  },
  { module: import.meta.url, name: 'reportClassIdentities' },
);
