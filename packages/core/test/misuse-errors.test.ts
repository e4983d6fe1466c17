/**
 * SPEC 8: every error mproc raises is an MprocError with a stable code, or a built-in class SPEC names
 * (TypeError, RangeError) that still carries a code and answers `instanceof MprocError`. And one rule
 * for every timeout: undefined, null or Infinity for no limit, a number ≥ 0 otherwise.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MprocRangeError, MprocTypeError } from '../src/errors.js';
import { Future } from '../src/executor/future.js';
import {
  AsyncResult,
  asCompleted,
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  JoinableQueue,
  Lock,
  MprocError,
  Pipe,
  Queue,
  wait,
} from '../src/index.js';
import { SETTLE } from '../src/results/async-result.js';
import { deserializeError, serializeError } from '../src/serialize/error-codec.js';
import { functionHandle } from '../src/serialize/function-handle.js';

/** The error `call` throws or rejects with. */
async function failureOf(call: () => unknown): Promise<Error> {
  try {
    await call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

function expectCoded(error: Error, builtin: typeof TypeError | typeof RangeError, code: string): void {
  expect(error).toBeInstanceOf(builtin);
  expect(error).toBeInstanceOf(MprocError);
  expect(MprocError.isInstance(error)).toBe(true);
  expect((error as Error & { code: string }).code).toBe(code);
}

function settledResult(): AsyncResult<number> {
  const result = new AsyncResult<number>();
  result[SETTLE]({ ok: true, value: 1 });
  return result;
}

/** Every API that takes a timeout, called so that it returns at once with a valid one. */
const TIMEOUT_TAKERS: Record<string, (timeout: unknown) => unknown> = {
  'AsyncResult.get': (timeout) => settledResult().get(timeout as number),
  'AsyncResult.wait': (timeout) => settledResult().wait(timeout as number),
  'Future.result': (timeout) => Future.failed(new Error('x')).exception(timeout as number),
  'Lock.acquire': async (timeout) => {
    const lock = new Lock();
    await lock.acquire({ timeout: timeout as number });
  },
  'Event.wait': async (timeout) => {
    const event = new Event();
    await event.set();
    await event.wait(timeout as number);
  },
  'Condition.wait': async (timeout) => {
    const condition = new Condition();
    await condition.acquire();
    try {
      await condition.waitFor(() => true, timeout as number);
    } finally {
      await condition.release();
    }
  },
  'Queue.get': async (timeout) => {
    const queue = new Queue();
    await queue.put(1);
    await queue.get({ timeout: timeout as number });
  },
  'Connection.poll': async (timeout) => {
    const [reader, writer] = Pipe();
    await writer.send('ready');
    await reader.poll(timeout as number);
  },
  'Barrier.wait': (timeout) => new Barrier(1).wait(timeout as number),
  asCompleted: (timeout) => asCompleted([], timeout as number),
  wait: (timeout) => wait([], { timeout: timeout as number }),
};

describe('timeouts: one rule everywhere', () => {
  for (const [name, take] of Object.entries(TIMEOUT_TAKERS)) {
    it(`${name}: a non-number is a TypeError, NaN or a negative number a RangeError, both coded`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string(),
            fc.boolean(),
            fc.object(),
            fc.bigInt(),
            fc.constant(Symbol('t')),
            // String() of it throws: the message must still be made (a case fast-check found).
            fc.constant({ toString: {} }),
          ),
          async (timeout) => {
            expectCoded(await failureOf(() => take(timeout)), TypeError, 'ERR_MPROC_INVALID_ARG_TYPE');
          },
        ),
        { numRuns: 25 },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.double({ max: -Number.MIN_VALUE, noNaN: true }), fc.constant(Number.NaN)),
          async (timeout) => {
            expectCoded(await failureOf(() => take(timeout)), RangeError, 'ERR_MPROC_OUT_OF_RANGE');
          },
        ),
        { numRuns: 25 },
      );
      for (const fine of [undefined, null, 0, 5, Number.POSITIVE_INFINITY, 2 ** 40]) await take(fine);
    });
  }
});

describe('misuse errors', () => {
  it('releasing a Lock that is not held: a coded RangeError', async () => {
    expectCoded(await failureOf(() => new Lock().release()), RangeError, 'ERR_MPROC_LOCK_NOT_HELD');
  });

  it('releasing a BoundedSemaphore more times than acquired: a coded RangeError', async () => {
    const semaphore = new BoundedSemaphore(1);
    expectCoded(await failureOf(() => semaphore.release()), RangeError, 'ERR_MPROC_SEMAPHORE_OVER_RELEASED');
  });

  it('taskDone() once too often: a coded RangeError', async () => {
    const queue = new JoinableQueue();
    await queue.put(1);
    await queue.get();
    await queue.taskDone();
    expectCoded(await failureOf(() => queue.taskDone()), RangeError, 'ERR_MPROC_TASK_DONE_TOO_MANY');
  });

  it('a native, bound or class function cannot be sent: a coded TypeError', () => {
    for (const fn of [Math.sqrt, ((x: number) => x).bind(null), class Task {}]) {
      const error = (() => {
        try {
          functionHandle(fn as never, 'Pool.apply');
        } catch (thrown) {
          return thrown as Error;
        }
        throw new Error('expected a TypeError');
      })();
      expectCoded(error, TypeError, 'ERR_MPROC_UNSENDABLE_FUNCTION');
    }
  });

  it('a coded TypeError or RangeError from a worker is rebuilt as one, and a user error with a code is not', () => {
    for (const original of [
      new MprocTypeError('t', 'ERR_MPROC_X'),
      new MprocRangeError('r', 'ERR_MPROC_Y'),
    ]) {
      const rebuilt = deserializeError(serializeError(original)) as Error & { code: string };
      expectCoded(rebuilt, original instanceof TypeError ? TypeError : RangeError, original.code);
    }
    const foreign = Object.assign(new TypeError('fs'), { code: 'ERR_INVALID_ARG_TYPE' });
    const rebuilt = deserializeError(serializeError(foreign)) as Error;
    expect(rebuilt).toBeInstanceOf(TypeError);
    expect(rebuilt).not.toBeInstanceOf(MprocError);
  });
});
