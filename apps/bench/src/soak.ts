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
import { readdirSync, readFileSync } from 'node:fs';
import { getContext, type SharedArray, type StartMethod, WorkerExitedError } from '@mproc/core';

export interface SoakOptions {
  readonly tiny: number;
  readonly big: number;
  /** Bytes of each big payload. */
  readonly bigBytes: number;
  /** Milliseconds between two kills. */
  readonly every: number;
  /**
   * Tasks that must settle between two kills (default 500): on a loaded machine workers restart slower
   * than `every`, and kills at a fixed rate alone would starve the pool.
   */
  readonly between?: number;
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

    // One ending task at a time: queued faster than threads restart, they would starve the pool.
    let ending: Promise<unknown> | undefined;
    let settled = 0;
    let settledAtKill = 0;
    const chaos = setInterval(() => {
      if (settled - settledAtKill < (options.between ?? 500)) return;
      settledAtKill = settled;
      if (isThreads) {
        if (ending) return;
        kills++;
        ending = pool.apply(endThisWorker, []).then(
          () => (ending = undefined),
          () => (ending = undefined),
        );
        return;
      }
      kills++;
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
      promise
        .finally(() => settled++)
        .then(
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

export interface CycleFigures {
  readonly method: StartMethod;
  readonly cycles: number;
  readonly perSecond: number;
  /** Open file descriptors, live handles and process listeners of the parent, before → after. */
  readonly fds: readonly [number, number];
  readonly handles: readonly [number, number];
  readonly listeners: readonly [number, number];
}

const PROCESS_EVENTS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'message', 'disconnect'];

function resources(): { fds: number; handles: number; listeners: number } {
  (globalThis as { gc?: () => void }).gc?.();
  return {
    fds: readdirSync('/proc/self/fd').length,
    handles: process.getActiveResourcesInfo().filter((kind) => kind !== 'Timeout').length,
    listeners: PROCESS_EVENTS.reduce((sum, event) => sum + process.listenerCount(event), 0),
  };
}

/**
 * `cycles` times: a pool made, given one task and terminated, then a Process started and joined.
 * The parent's descriptors, handles and listeners are compared before and after (Linux: fds are
 * counted in /proc).
 */
export async function runCycles(method: StartMethod, cycles: number): Promise<CycleFigures> {
  const context = getContext(method);
  const cycle = async () => {
    const pool = context.Pool({ processes: 1 });
    await pool.apply(warmUp, [1]);
    await pool.terminate();
    const child = context.Process({ target: warmUp, args: [1] });
    await child.start();
    await child.join();
  };
  await cycle(); // what loads once (the orphan reaper) is not a leak
  await new Promise((resolve) => setTimeout(resolve, 200));
  const before = resources();
  const started = performance.now();
  for (let round = 0; round < cycles; round++) await cycle();
  const perSecond = cycles / ((performance.now() - started) / 1000);
  await new Promise((resolve) => setTimeout(resolve, 200)); // pipes close a few turns after exit
  const after = resources();
  return {
    method,
    cycles,
    perSecond: Math.round(perSecond * 10) / 10,
    fds: [before.fds, after.fds],
    handles: [before.handles, after.handles],
    listeners: [before.listeners, after.listeners],
  };
}

export interface HealthSample {
  readonly minute: number;
  readonly tasks: number;
  readonly parentRss: number;
  readonly parentHeap: number;
  /** The workers' RSS in MiB, summed (read in /proc). */
  readonly workerRss: number;
  readonly fds: number;
  readonly handles: number;
}

function workerRssMiB(pids: Iterable<number>): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // it just exited
    }
  }
  return mib(kib * 1024);
}

/**
 * One pool runs for `minutes`: batches of 10,000 tiny tasks (`map`) and of 16 tasks of 1 MiB in turn,
 * with a sample of the parent's and workers' memory, descriptors and handles once a minute (after a
 * GC in the parent with `--expose-gc`).
 */
export async function runLong(method: StartMethod, minutes: number): Promise<HealthSample[]> {
  const context = getContext(method);
  const pool = context.Pool({ processes: 2 });
  const pids = new Set<number>();
  pool.on('worker-start', ({ pid }: { pid: number }) => pids.add(pid));
  pool.on('worker-exit', ({ pid }: { pid: number }) => pids.delete(pid));
  const payload = new Uint8Array(2 ** 20).fill(1);
  const items = Array.from({ length: 10_000 }, (_, index) => index);
  const samples: HealthSample[] = [];
  let tasks = 0;
  const started = performance.now();
  try {
    for (let minute = 0; minute <= minutes; minute++) {
      const memory = await settleMemory();
      const { fds, handles } = resources();
      samples.push({
        minute,
        tasks,
        parentRss: memory.rss,
        parentHeap: memory.heap,
        workerRss: method === 'threads' ? 0 : workerRssMiB(pids),
        fds,
        handles,
      });
      while (minute < minutes && performance.now() - started < (minute + 1) * 60_000) {
        await pool.map(warmUp, items);
        await Promise.all(Array.from({ length: 16 }, () => pool.apply(payloadSize, [payload])));
        tasks += items.length + 16;
      }
    }
    return samples;
  } finally {
    await pool.terminate();
  }
}

const payloadSize = (payload: Uint8Array) => payload.length;
