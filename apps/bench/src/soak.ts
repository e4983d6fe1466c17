/**
 * The soak (issue 14): many tiny tasks, then many 1 MiB payloads, through one pool of a start method
 * while a chaos loop kills a worker (the one that ran a task last) every few hundred ms. Every task must settle once, with its
 * correct result or with WorkerExitedError (it ran on a killed worker), and run at most once: each
 * task counts its runs in a shared Array. The figures: tasks/s, kills, failures, lost and duplicated
 * tasks (both must be 0), and the parent's memory before and after.
 *
 * Process workers are killed with SIGKILL by pid. A thread cannot be killed from outside without its
 * process, so on 'threads' the chaos sends a task that ends its worker (`process.exit(1)` in a thread
 * ends that thread only); those tasks are the chaos's own and are not counted.
 */
import { getContext, type SharedArray, type StartMethod, WorkerExitedError } from '@mproc/core';

export interface SoakOptions {
  readonly tiny: number;
  readonly big: number;
  /** Bytes of each big payload. */
  readonly bigBytes: number;
  /** Milliseconds between two kills. */
  readonly every: number;
  /** Tasks in flight at once (tiny; big uses an eighth). */
  readonly window: number;
}

export interface SoakFigures {
  readonly method: StartMethod;
  readonly tinyPerSecond: number;
  readonly bigPerSecond: number;
  readonly kills: number;
  /** Tasks that failed with WorkerExitedError (they ran on a killed worker). */
  readonly failed: number;
  /** Tasks with no result, a wrong result, or another error. */
  readonly lost: number;
  /** Tasks that ran more than once. */
  readonly duplicated: number;
  /** Parent memory in MiB, after a warm-up and after the run (after a GC when `--expose-gc`). */
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
}

type SoakGlobals = { soakRuns?: SharedArray; soakRunner?: SharedArray };

/**
 * Gives each worker (as the pool's initializer) the runs of each task id and the slot where a task
 * writes the pid that runs it: the chaos kills that one, a worker past its start. (A pool whose
 * workers die while starting, three in a row, is broken by design: BrokenPoolError.)
 */
const keepShared = (runs: SharedArray, runner: SharedArray) => {
  Object.assign(globalThis as SoakGlobals, { soakRuns: runs, soakRunner: runner });
};

const tinyTask = (id: number) => {
  const { soakRuns: runs, soakRunner: runner } = globalThis as unknown as Required<SoakGlobals>;
  runs[id] = (runs[id] as number) + 1;
  runner[0] = process.pid;
  return id * 2;
};

const bigTask = (id: number, payload: Uint8Array) => {
  const { soakRuns: runs, soakRunner: runner } = globalThis as unknown as Required<SoakGlobals>;
  runs[id] = (runs[id] as number) + 1;
  runner[0] = process.pid;
  let sum = 0;
  for (let index = 0; index < payload.length; index += 4096) sum += payload[index] as number;
  return sum;
};

const endThisWorker = () => process.exit(1);

const warmUp = (value: number) => value;

function mib(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}

async function settleMemory(): Promise<{ heap: number; rss: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let round = 0; round < 3; round++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const usage = process.memoryUsage();
  return { heap: mib(usage.heapUsed), rss: mib(usage.rss) };
}

/** Runs `count` tasks, at most `window` at a time; `run(id)` resolves once task `id` has settled. */
async function windowed(count: number, window: number, run: (id: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await run(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, lane));
}

export async function runSoak(method: StartMethod, options: SoakOptions): Promise<SoakFigures> {
  const context = getContext(method);
  const total = options.tiny + options.big;
  const runs = context.Array('i', total, { lock: false });
  const runner = context.Array('i', 1, { lock: false });
  const pool = context.Pool({ processes: 2, initializer: keepShared, initArgs: [runs, runner] });
  const live = new Set<number>();
  const isThreads = method === 'threads';
  pool.on('worker-start', ({ pid }: { pid: number }) => live.add(pid));
  pool.on('worker-exit', ({ pid }: { pid: number }) => live.delete(pid));
  let lost = 0;
  let failed = 0;
  let kills = 0;
  try {
    await Promise.all([pool.apply(warmUp, [1]), pool.apply(warmUp, [2])]);
    const before = await settleMemory();

    const chaos = setInterval(() => {
      kills++;
      if (isThreads) {
        pool.apply(endThisWorker, []).catch(() => {});
        return;
      }
      const pid = runner[0] as number;
      if (!live.has(pid)) {
        kills--; // the last runner is gone already, and its successor has run nothing yet
        return;
      }
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        kills--; // it had just exited
      }
    }, options.every);

    const outcomes = new Uint8Array(total); // 0: unsettled, 1: right, 2: WorkerExitedError
    const settle = (id: number, promise: Promise<number>, expected: number) =>
      promise.then(
        (value) => {
          if (value === expected && outcomes[id] === 0) outcomes[id] = 1;
          else lost++;
        },
        (error: unknown) => {
          if (error instanceof WorkerExitedError && outcomes[id] === 0) outcomes[id] = 2;
          else lost++;
        },
      );

    let started = performance.now();
    await windowed(options.tiny, options.window, (id) => settle(id, pool.apply(tinyTask, [id]), id * 2));
    const tinyPerSecond = options.tiny / ((performance.now() - started) / 1000);

    const payload = new Uint8Array(options.bigBytes).fill(3);
    const expectedSum = 3 * Math.ceil(options.bigBytes / 4096);
    started = performance.now();
    await windowed(options.big, Math.max(1, options.window / 8), (index) => {
      const id = options.tiny + index;
      return settle(id, pool.apply(bigTask, [id, payload]), expectedSum);
    });
    const bigPerSecond = options.big / ((performance.now() - started) / 1000);
    clearInterval(chaos);

    let duplicated = 0;
    for (let id = 0; id < total; id++) {
      const ran = runs[id] as number;
      if (ran > 1) duplicated++;
      if (outcomes[id] === 0 || (outcomes[id] === 1 && ran !== 1)) lost++;
      if (outcomes[id] === 2) failed++;
    }
    await pool.terminate();
    const after = await settleMemory();
    return {
      method,
      tinyPerSecond: Math.round(tinyPerSecond),
      bigPerSecond: Math.round(bigPerSecond),
      kills,
      failed,
      lost,
      duplicated,
      heapBefore: before.heap,
      heapAfter: after.heap,
      rssBefore: before.rss,
      rssAfter: after.rss,
    };
  } finally {
    await pool.terminate();
  }
}
