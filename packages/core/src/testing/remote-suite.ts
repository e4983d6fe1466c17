/**
 * What a remote start method (`capabilities.remote`: workers on other machines) refuses, as tests:
 * every object of SPEC 5 lives in this machine's memory or processes, so its factory throws, naming
 * the object and the start method. These replace the suites of those objects on such a backend.
 */
import { type BackendCapabilities, BrokenPoolError, getContext, type StartMethod } from '@mproc/core';
import { describe, expect, it } from 'vitest';
import { rejectionOf } from './bounded.js';

/** Why a case of the Pool suites does not apply to workers on other machines. */
export const REMOTE = {
  seat: "a worker there is a seat, whose tasks run on any host's thread: what one task leaves in its globals the next may not see",
  shared: 'the case observes its task through a shared Value, which these start methods refuse',
  script:
    "the case's child script cannot be given the backend's connection options: a remote backend tests this itself",
  hosts:
    "worker hosts are servers of their own that outlive any producer: they stop a producer's jobs only once its lease runs out (at least 1 s, tested by the backend)",
} as const;

/** `it` on local backends; on a remote one, a skip that says why in its name. */
export function itLocally(capabilities: BackendCapabilities, reason: string) {
  return (title: string, body: () => Promise<void>) =>
    capabilities.remote
      ? it.skip(`${title} (not on remote start methods: ${reason})`, body)
      : it(title, body);
}

export function remoteSuite(method: StartMethod): void {
  const ctx = getContext(method);
  const factories: Array<[string, () => unknown]> = [
    ['ctx.Process', () => ctx.Process({ target: () => {} })],
    ['ctx.Queue', () => ctx.Queue()],
    ['ctx.SimpleQueue', () => ctx.SimpleQueue()],
    ['ctx.JoinableQueue', () => ctx.JoinableQueue()],
    ['ctx.Pipe', () => ctx.Pipe()],
    ['ctx.Manager', () => ctx.Manager()],
    ['ctx.Lock', () => ctx.Lock()],
    ['ctx.RLock', () => ctx.RLock()],
    ['ctx.Semaphore', () => ctx.Semaphore()],
    ['ctx.BoundedSemaphore', () => ctx.BoundedSemaphore()],
    ['ctx.Event', () => ctx.Event()],
    ['ctx.Condition', () => ctx.Condition()],
    ['ctx.Barrier', () => ctx.Barrier(2)],
    ['ctx.Value', () => ctx.Value('i', 0)],
    ['ctx.Array', () => ctx.Array('i', 2)],
  ];

  describe('refused on a start method whose workers run on other machines', () => {
    it('Pool option execArgv breaks the pool at its first task, naming the option', async () => {
      const pool = ctx.Pool({ processes: 1, execArgv: ['--no-warnings'] });
      try {
        const error = await rejectionOf(pool.apply((x: number) => x, [1]));
        expect(error).toBeInstanceOf(BrokenPoolError);
        expect(error.message).toMatch(
          new RegExp(
            `^worker 1 could not start: Pool option execArgv: not supported on the '${method}' start method`,
          ),
        );
      } finally {
        await pool.terminate();
      }
    });

    it.each(factories)('%s throws a TypeError naming it and the start method', (name, make) => {
      expect(make).toThrow(
        expect.objectContaining({
          name: 'TypeError',
          code: 'ERR_MPROC_NOT_ON_THIS_START_METHOD',
          message: expect.stringMatching(
            new RegExp(`^${name.replace('.', '\\.')}: not available on the '${method}' start method`),
          ),
        }),
      );
    });
  });
}
