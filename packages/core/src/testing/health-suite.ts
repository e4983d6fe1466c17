/**
 * Long-running health (issue 14): pools, Processes, queues and Managers made, used and ended over and
 * over leave nothing behind in the parent — no open file descriptor (pipes, sockets, memfd regions),
 * no live handle, no process listener. Run once per backend; `npm run soak` covers the long run.
 */

import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { getContext, type StartMethod } from '@mproc/core';
import { describe, expect, it } from 'vitest';
import { BOUND } from './bounded.js';

/** The kinds of live handle that mproc makes in a parent (vitest's own timers and sockets aside). */
const OURS = new Set(['ProcessWrap', 'PipeWrap', 'TCPWrap', 'TCPServerWrap', 'MessagePort', 'Worker']);
const PROCESS_EVENTS = [
  'exit',
  'beforeExit',
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'message',
  'disconnect',
  'warning',
];

interface Snapshot {
  readonly fds: number;
  readonly handles: number;
  readonly listeners: number;
}

/**
 * A full garbage collection: shared memory regions (a Queue's ring) are freed when nothing maps them
 * any more, which is when their objects are collected. The flag makes a fresh context expose `gc`.
 */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

function snapshot(): Snapshot {
  collect();
  return {
    fds: readdirSync('/proc/self/fd').length,
    handles: process.getActiveResourcesInfo().filter((kind) => OURS.has(kind)).length,
    listeners: PROCESS_EVENTS.reduce((sum, event) => sum + process.listenerCount(event), 0),
  };
}

/**
 * The snapshot once it is back to `baseline` or better, or the last one after `bound` ms. Pipes and
 * threads close a few event-loop turns after the calls that end them resolve, and no event says when.
 */
async function settledSnapshot(baseline: Snapshot, bound: number): Promise<Snapshot> {
  const deadline = performance.now() + bound;
  for (;;) {
    const now = snapshot();
    const back =
      now.fds <= baseline.fds && now.handles <= baseline.handles && now.listeners <= baseline.listeners;
    if (back || performance.now() > deadline) return now;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The snapshot once it has not changed for 100 ms (what the last cycle ended has closed), within `bound`. */
async function steadySnapshot(bound: number): Promise<Snapshot> {
  const deadline = performance.now() + bound;
  let last = snapshot();
  let sameSince = performance.now();
  while (performance.now() - sameSince < 100 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = snapshot();
    if (JSON.stringify(now) !== JSON.stringify(last)) sameSince = performance.now();
    last = now;
  }
  return last;
}

export function healthSuite(method: StartMethod): void {
  const context = getContext(method);

  /** One of everything, made, used and ended. */
  async function cycle(): Promise<void> {
    const pool = context.Pool({ processes: 1 });
    expect(await pool.apply((value: number) => value + 1, [1])).toBe(2);
    await pool.terminate();
    const child = context.Process({ target: () => undefined });
    await child.start();
    await child.join(BOUND);
    const queue = context.Queue<number>();
    await queue.put(1);
    expect(await queue.get()).toBe(1);
    await queue.close();
    const manager = await context.Manager();
    await manager.list([1]).append(2);
    await manager.shutdown();
  }

  describe('nothing accumulates in the parent', () => {
    it.skipIf(process.platform !== 'linux')(
      '8 cycles of a Pool, a Process, a Queue and a Manager: open fds, live handles and process listeners come back to where they were (Linux: fds are counted in /proc)',
      async () => {
        await cycle(); // lazily loaded parts (the orphan reaper, native regions) stay for good
        const baseline = await steadySnapshot(BOUND);
        for (let round = 0; round < 8; round++) await cycle();
        const after = await settledSnapshot(baseline, BOUND);
        expect(after.fds, 'open file descriptors').toBeLessThanOrEqual(baseline.fds);
        expect(after.handles, 'live handles').toBeLessThanOrEqual(baseline.handles);
        expect(after.listeners, 'process listeners').toBeLessThanOrEqual(baseline.listeners);
      },
      120_000, // nine cycles start 18 workers: slow beside the other packages' suites on 2 cores
    );
  });
}
