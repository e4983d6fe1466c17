/**
 * `npm run bench -- --sync [--quick] [--reps N] [--json FILE]`: the small benchmark of issue 4 for the
 * objects that cross workers, against Python's multiprocessing in the same run:
 *
 *   queue   Queue round trips per second: the parent puts, a child gets and puts back, the parent gets
 *   stream* one-way Queue streams, items per second timed by the consuming child from its first item
 *           to its last: child → child and parent → child, of small ints and of ~1 KiB objects
 *   pipeStream*  the same four through a one-way Pipe (`Pipe(false)`) instead of a Queue
 *   busy    ms for 2,000 small ints to pass child → child from the moment the parent, right after
 *           signalling the producer, starts a 3 s synchronous loop (it polls a shared Value the
 *           consumer sets when done); below 3,000 means the items passed while the parent computed
 *   pipe    Pipe round trips per second: the parent sends, a child receives and sends back
 *   bytes   MB/s of 16 MiB `sendBytes` messages from the parent to a child (which answers each with a
 *           one-number acknowledgement)
 *   append  Manager list appends per second, each awaited, made by a child (timed in the child)
 *   lock    Lock acquire/release pairs per second, two children contending for one Lock (timed in
 *           the parent from an Event that starts both, once both said they are ready, to both
 *           reporting done)
 *   incr    locked `Value('i')` increments per second, two children each taking the Value's lock
 *   lockSync, incrSync  the same two with `acquireSync()` / `releaseSync()`, which wait on the
 *           calling thread as Python's `acquire()` does; Python's cells in these rows are its one
 *           (blocking) measurement, the `lock` and `incr` figures of the same run
 *
 * Each system × repetition runs in a fresh process (this script with `--child <start method>`, or
 * python/sync_objects.py) in its own process group, killed past a time limit. The child is a Process
 * (Python: `multiprocessing.Process`) on that start method; the numbers are the median of the
 * repetitions. docs/sync-objects.md quotes a run.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { realpathSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatNumber } from './report.js';
import { RESULT_MARKER } from './types.js';

interface SyncSettings {
  readonly roundTrips: number;
  readonly streamItems: number;
  readonly bytes: number;
  readonly byteTrips: number;
  readonly appends: number;
  readonly lockPairs: number;
}

const FULL: SyncSettings = {
  roundTrips: 5_000,
  streamItems: 20_000,
  bytes: 16 * 2 ** 20,
  byteTrips: 8,
  appends: 5_000,
  lockPairs: 20_000,
};
const QUICK: SyncSettings = {
  roundTrips: 1_000,
  streamItems: 5_000,
  bytes: 16 * 2 ** 20,
  byteTrips: 2,
  appends: 1_000,
  lockPairs: 5_000,
};

const METRICS = [
  { key: 'queue', label: 'Queue round trips', unit: 'trips/s' },
  { key: 'streamChildInts', label: 'Queue stream child → child, small ints', unit: 'items/s' },
  { key: 'streamChildObjects', label: 'Queue stream child → child, ~1 KiB objects', unit: 'items/s' },
  { key: 'streamParentInts', label: 'Queue stream parent → child, small ints', unit: 'items/s' },
  { key: 'streamParentObjects', label: 'Queue stream parent → child, ~1 KiB objects', unit: 'items/s' },
  { key: 'busy', label: '2,000 items child → child, parent in a 3 s loop', unit: 'ms' },
  { key: 'idle', label: 'CPU of a child waiting 2 s in get() on an empty Queue', unit: 'ms' },
  { key: 'pipe', label: 'Pipe round trips', unit: 'trips/s' },
  { key: 'bytes', label: 'Pipe sendBytes, 16 MiB messages', unit: 'MB/s' },
  { key: 'pipeStreamChildInts', label: 'Pipe stream child → child, small ints', unit: 'items/s' },
  { key: 'pipeStreamChildObjects', label: 'Pipe stream child → child, ~1 KiB objects', unit: 'items/s' },
  { key: 'pipeStreamParentInts', label: 'Pipe stream parent → child, small ints', unit: 'items/s' },
  { key: 'pipeStreamParentObjects', label: 'Pipe stream parent → child, ~1 KiB objects', unit: 'items/s' },
  { key: 'append', label: 'Manager list appends', unit: 'appends/s' },
  { key: 'lock', label: 'Lock acquire/release, 2 contending workers', unit: 'pairs/s' },
  { key: 'incr', label: "locked Value('i') increments, 2 workers", unit: 'increments/s' },
  {
    key: 'lockSync',
    label: 'Lock acquireSync/releaseSync, 2 contending workers',
    unit: 'pairs/s',
    python: 'lock',
  },
  {
    key: 'incrSync',
    label: "Value('i') increments under acquireSync, 2 workers",
    unit: 'increments/s',
    python: 'incr',
  },
] as const satisfies readonly { key: string; label: string; unit: string; python?: string }[];

type MetricKey = (typeof METRICS)[number]['key'];
type Figures = Record<MetricKey, number>;

/** Python has one (blocking) acquire: its figure for the acquireSync rows is the same measurement. */
function withPythonRows(figures: Figures): Figures {
  const filled: Record<string, number> = { ...figures };
  for (const metric of METRICS) {
    if ('python' in metric && filled[metric.key] === undefined) filled[metric.key] = figures[metric.python];
  }
  return filled as Figures;
}

const SYSTEMS = [
  'mproc/threads',
  'mproc/fork',
  'mproc/spawn',
  'mproc/cluster',
  'python/fork',
  'python/spawn',
] as const;

const PYTHON = process.env.PYTHON || 'python3';
const PYTHON_SCRIPT = fileURLToPath(new URL('../python/sync_objects.py', import.meta.url));
const THIS_SCRIPT = fileURLToPath(import.meta.url);
const CHILD_TIMEOUT_MS = 120_000;

// --- the measuring child --------------------------------------------------------------------------

/**
 * The slice of @mproc/core's API (SPEC.md section 5) used here, written out rather than imported, as
 * in systems/mproc.ts: the bench builds whatever state the library's own build is in.
 */
interface Queue<T> {
  put(value: T): Promise<void>;
  get(options?: { timeout?: number }): Promise<T>;
}
interface Connection {
  send(value: unknown): Promise<void>;
  recv<T = unknown>(): Promise<T>;
  sendBytes(buffer: Uint8Array): Promise<void>;
  recvBytes(): Promise<Uint8Array>;
}
interface ListProxy<T> {
  append(value: T): Promise<void>;
  length(): Promise<number>;
}
interface Lock {
  acquire(): Promise<boolean>;
  release(): Promise<void>;
  acquireSync(options?: { block?: boolean }): boolean;
  releaseSync(): void;
}
interface Value {
  value: number;
  getLock(): Lock;
}
interface Process {
  start(): Promise<void>;
  join(): Promise<void>;
}
interface Event {
  set(): Promise<void>;
  wait(timeout?: number): Promise<boolean>;
}
interface Context {
  Lock(): Lock;
  Event(): Event;
  Value(typecode: 'i' | 'd', initial: number): Value;
  Queue<T>(): Queue<T>;
  Pipe(duplex?: boolean): [Connection, Connection];
  Manager(): Promise<{ list<T>(): ListProxy<T> } & AsyncDisposable>;
  // biome-ignore lint/suspicious/noExplicitAny: targets of any signature, as Process takes them
  Process(options: { target: (...args: any[]) => unknown; args: unknown[] }): Process;
}
interface Core {
  getContext(method: string): Context;
  isMainProcess(): boolean;
}

/** A variable, so that TypeScript does not resolve the package (see systems/mproc.ts). */
const MPROC_CORE: string = '@mproc/core';

/** Waits while the work below runs: a bound, so a broken run fails instead of hanging. */
function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within 60 s`)), 60_000);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/**
 * Round trips and appends are timed after this many: a fresh process runs its first few thousand calls
 * at a fraction of its steady speed while V8 compiles their path (Manager appends from a new child:
 * 5,000–13,000/s over the first 3,000, 20,000–30,000/s after). Python's side warms up alike.
 */
const WARM_UP = 3_000;

async function measure(core: Core, method: string, settings: SyncSettings): Promise<Figures> {
  const context = core.getContext(method);
  const warmUp = WARM_UP;

  // Queue: the child echoes `warmUp + roundTrips` items from one queue to the other.
  const inbox = context.Queue<number>();
  const outbox = context.Queue<number>();
  const queueChild = context.Process({
    target: async (from: Queue<number>, to: Queue<number>, count: number) => {
      for (let index = 0; index < count; index++) await to.put(await from.get());
    },
    args: [inbox, outbox, warmUp + settings.roundTrips],
  });
  await queueChild.start();
  for (let index = 0; index < warmUp; index++) {
    await inbox.put(index);
    await outbox.get();
  }
  let started = performance.now();
  for (let index = 0; index < settings.roundTrips; index++) {
    await inbox.put(index);
    await bounded(outbox.get(), 'queue');
  }
  const queue = settings.roundTrips / ((performance.now() - started) / 1000);
  await queueChild.join();

  // Pipe: objects echoed, then bytes acknowledged, by one child.
  const [parentEnd, childEnd] = context.Pipe();
  const pipeChild = context.Process({
    target: async (end: Connection, count: number, byteTrips: number) => {
      for (let index = 0; index < count; index++) await end.send(await end.recv());
      for (let index = 0; index < byteTrips; index++) await end.send((await end.recvBytes()).byteLength);
    },
    args: [childEnd, warmUp + settings.roundTrips, 1 + settings.byteTrips],
  });
  await pipeChild.start();
  for (let index = 0; index < warmUp; index++) {
    await parentEnd.send(index);
    await parentEnd.recv();
  }
  started = performance.now();
  for (let index = 0; index < settings.roundTrips; index++) {
    await parentEnd.send(index);
    await bounded(parentEnd.recv(), 'pipe');
  }
  const pipe = settings.roundTrips / ((performance.now() - started) / 1000);
  const payload = new Uint8Array(settings.bytes).fill(7);
  await parentEnd.sendBytes(payload); // warm-up
  await parentEnd.recv();
  started = performance.now();
  for (let index = 0; index < settings.byteTrips; index++) {
    await parentEnd.sendBytes(payload);
    const received = await bounded(parentEnd.recv<number>(), 'bytes');
    if (received !== settings.bytes) throw new Error(`the child received ${received} bytes`);
  }
  const bytes = (settings.byteTrips * settings.bytes) / 1e6 / ((performance.now() - started) / 1000);
  await pipeChild.join();

  // Manager list: the child times its own appends.
  await using manager = await context.Manager();
  const list = manager.list<number>();
  const seconds = context.Queue<number>();
  const appendChild = context.Process({
    target: async (shared: ListProxy<number>, report: Queue<number>, count: number, warm: number) => {
      for (let index = 0; index < warm; index++) await shared.append(index);
      const begin = performance.now();
      for (let index = 0; index < count; index++) await shared.append(index);
      await report.put((performance.now() - begin) / 1000);
    },
    args: [list, seconds, settings.appends, warmUp],
  });
  await appendChild.start();
  const append = settings.appends / (await bounded(seconds.get(), 'append'));
  await appendChild.join();
  if ((await list.length()) !== warmUp + settings.appends) throw new Error('appends were lost');

  const [streamChildInts, streamChildObjects, streamParentInts, streamParentObjects] = await streams(
    context,
    'Queue',
    settings.streamItems,
  );
  const [pipeStreamChildInts, pipeStreamChildObjects, pipeStreamParentInts, pipeStreamParentObjects] =
    await streams(context, 'Pipe', settings.streamItems);
  const busy = await busyParent(context);
  const idle = await idleGet(context);

  const lock = await lockPairs(context, settings, false);
  const incr = await lockedIncrements(context, settings, false);
  // Not on the fallback without the native addon (MPROC_NO_NATIVE=1): reported as n/a (null).
  const sync = syncAcquireWorks(context);
  const lockSync = sync ? await lockPairs(context, settings, true) : Number.NaN;
  const incrSync = sync ? await lockedIncrements(context, settings, true) : Number.NaN;
  return {
    queue,
    streamChildInts,
    streamChildObjects,
    streamParentInts,
    streamParentObjects,
    busy,
    idle,
    pipe,
    bytes,
    pipeStreamChildInts,
    pipeStreamChildObjects,
    pipeStreamParentInts,
    pipeStreamParentObjects,
    append,
    lock,
    incr,
    lockSync,
    incrSync,
  };
}

/** The channel of a one-way stream. */
type StreamChannel = 'Queue' | 'Pipe';
/** An end of a stream's channel: the Queue itself, or one end of a one-way Pipe. */
type StreamEnd = Queue<unknown> | Connection;

/** A stream's ends, [the consumer's, the producer's]: one Queue is both, a `Pipe(false)` has two. */
function streamEnds(context: Context, channel: StreamChannel): [StreamEnd, StreamEnd] {
  if (channel === 'Pipe') return context.Pipe(false);
  const queue = context.Queue<unknown>();
  return [queue, queue];
}

/**
 * A producer child's target, which the parent also calls: waits for `go` if given, then puts or sends
 * `count` items, small ints or objects of about 1 KiB. Written as one function, with no helper of this
 * module, since a target reaches the child as its source text alone.
 */
async function streamProducer(end: StreamEnd, count: number, objects: boolean, go?: Event) {
  const write = 'send' in end ? (item: unknown) => end.send(item) : (item: unknown) => end.put(item);
  await go?.wait(60_000);
  for (let index = 0; index < count; index++) {
    await write(objects ? { index, text: 'x'.repeat(1_000) } : index);
  }
}

/** A consumer child's target: takes `count` items and reports seconds from its first to its last. */
async function streamConsumer(end: StreamEnd, report: Queue<number>, count: number) {
  const read = 'recv' in end ? () => end.recv() : () => end.get();
  await read();
  const begin = performance.now();
  for (let index = 1; index < count; index++) await read();
  await report.put((performance.now() - begin) / 1000);
}

/** The four streams of a channel, in the order of METRICS: child → child, then parent → child. */
async function streams(
  context: Context,
  channel: StreamChannel,
  count: number,
): Promise<[number, number, number, number]> {
  return [
    await streamChildToChild(context, channel, count, false),
    await streamChildToChild(context, channel, count, true),
    await streamParentToChild(context, channel, count, false),
    await streamParentToChild(context, channel, count, true),
  ];
}

/** Items per second from one child to another through `channel`, timed by the consumer. */
async function streamChildToChild(
  context: Context,
  channel: StreamChannel,
  count: number,
  objects: boolean,
): Promise<number> {
  const [receiving, sending] = streamEnds(context, channel);
  const report = context.Queue<number>();
  const go = context.Event();
  const children = [
    context.Process({ target: streamConsumer, args: [receiving, report, count] }),
    context.Process({ target: streamProducer, args: [sending, count, objects, go] }),
  ];
  for (const child of children) await child.start();
  await go.set();
  const seconds = await bounded(report.get(), `${channel} stream child → child`);
  for (const child of children) await child.join();
  return (count - 1) / seconds;
}

/** Items per second from the parent to a child through `channel`, timed by the consumer. */
async function streamParentToChild(
  context: Context,
  channel: StreamChannel,
  count: number,
  objects: boolean,
): Promise<number> {
  const [receiving, sending] = streamEnds(context, channel);
  const report = context.Queue<number>();
  const child = context.Process({ target: streamConsumer, args: [receiving, report, count] });
  await child.start();
  await streamProducer(sending, count, objects);
  const seconds = await bounded(report.get(), `${channel} stream parent → child`);
  await child.join();
  return (count - 1) / seconds;
}

/** A child's target: waits 2 s in get() on an empty queue, and reports the CPU ms it used meanwhile. */
async function idleWaiter(queue: Queue<unknown>, report: Queue<number>) {
  const before = process.cpuUsage();
  try {
    await queue.get({ timeout: 2_000 });
  } catch {
    // Empty, as intended
  }
  const used = process.cpuUsage(before);
  await report.put((used.user + used.system) / 1000);
}

/** CPU milliseconds a child spends waiting 2 s for an item that does not come. */
async function idleGet(context: Context): Promise<number> {
  const queue = context.Queue<unknown>();
  const report = context.Queue<number>();
  const child = context.Process({ target: idleWaiter, args: [queue, report] });
  await child.start();
  const milliseconds = await bounded(report.get(), 'idle');
  await child.join();
  return milliseconds;
}

/** A consumer child's target: gets `count` items, then sets `done` to 1. */
async function busyConsumer(queue: Queue<unknown>, done: Value, count: number) {
  for (let index = 0; index < count; index++) await queue.get();
  done.value = 1;
}

/**
 * Milliseconds for 2,000 items to pass child → child while the parent runs a 3 s synchronous loop
 * from the moment it signals the producer; the loop watches a shared Value the consumer sets.
 */
async function busyParent(context: Context): Promise<number> {
  const count = 2_000;
  const queue = context.Queue<unknown>();
  const go = context.Event();
  const done = context.Value('d', 0);
  const children = [
    context.Process({ target: busyConsumer, args: [queue, done, count] }),
    context.Process({ target: streamProducer, args: [queue, count, false, go] }),
  ];
  for (const child of children) await child.start();
  await go.set();
  const started = performance.now();
  let delivered = Number.NaN;
  while (performance.now() - started < 3_000) {
    if (Number.isNaN(delivered) && done.value === 1) delivered = performance.now() - started;
  }
  for (const child of children) await bounded(child.join(), 'busy');
  // Not during the loop: delivered after it, at the earliest when the loop ended.
  return Number.isNaN(delivered) ? performance.now() - started : delivered;
}

/**
 * A contending child's target: says it is ready, waits for `go`, then takes and gives back `shared`'s
 * lock `count` times with `acquireSync()` or `await acquire()`, adding one to the Value when it is one.
 * One loop per way, so that neither pays a test in its loop.
 */
async function lockLoop(shared: Lock | Value, go: Event, done: Queue<number>, count: number, sync: boolean) {
  const value = 'getLock' in shared ? shared : undefined;
  const guard = value ? value.getLock() : (shared as Lock);
  await done.put(0);
  await go.wait(60_000);
  if (sync && value) {
    for (let index = 0; index < count; index++) {
      guard.acquireSync();
      value.value += 1;
      guard.releaseSync();
    }
  } else if (sync) {
    for (let index = 0; index < count; index++) {
      guard.acquireSync();
      guard.releaseSync();
    }
  } else if (value) {
    for (let index = 0; index < count; index++) {
      await guard.acquire();
      value.value += 1;
      await guard.release();
    }
  } else {
    for (let index = 0; index < count; index++) {
      await guard.acquire();
      await guard.release();
    }
  }
  await done.put(count);
}

/** Whether this context's locks can be taken synchronously (not on the fallback over sockets). */
function syncAcquireWorks(context: Context): boolean {
  try {
    const probe = context.Lock();
    probe.acquireSync({ block: false });
    probe.releaseSync();
    return true;
  } catch {
    return false;
  }
}

/** Lock pairs per second of two children contending for one Lock. */
function lockPairs(context: Context, settings: SyncSettings, sync: boolean): Promise<number> {
  return contend(context, settings, context.Lock(), sync);
}

/** Increments per second of two children adding to one Value under its lock; checks the total. */
async function lockedIncrements(context: Context, settings: SyncSettings, sync: boolean): Promise<number> {
  const counter = context.Value('i', 0);
  const rate = await contend(context, settings, counter, sync);
  if (counter.value !== 2 * settings.lockPairs) throw new Error(`locked increments lost: ${counter.value}`);
  return rate;
}

/** Operations per second of two children running `lockLoop` on `shared` together, from one Event. */
async function contend(
  context: Context,
  settings: SyncSettings,
  shared: Lock | Value,
  sync: boolean,
): Promise<number> {
  const go = context.Event();
  const done = context.Queue<number>();
  const children = [0, 1].map(() =>
    context.Process({ target: lockLoop, args: [shared, go, done, settings.lockPairs, sync] }),
  );
  for (const child of children) await child.start();
  // Each child says it is ready first, so that the figure times the lock, not a child's start-up.
  for (const _ of children) await bounded(done.get(), 'ready');
  const started = performance.now();
  await go.set();
  for (const _ of children) await bounded(done.get(), 'contend');
  const rate = (2 * settings.lockPairs) / ((performance.now() - started) / 1000);
  for (const child of children) await child.join();
  return rate;
}

// --- the parent: one fresh child per system and repetition ------------------------------------------

/** Runs one child in its own process group and returns the figures of its result line. */
function runChild(command: string, args: string[]): Promise<Figures | { error: string }> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    };
    const timer = setTimeout(killGroup, CHILD_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ error: error.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      killGroup(); // nothing it started outlives it
      const line = stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_MARKER));
      if (line) resolve(withPythonRows(JSON.parse(line.slice(RESULT_MARKER.length)) as Figures));
      else
        resolve({ error: `exited with ${code} without a result: ${stderr.trim().split('\n').at(-1) ?? ''}` });
    });
  });
}

function commandOf(system: string, settings: SyncSettings): [string, string[]] {
  const [runtime, method] = system.split('/') as [string, string];
  const encoded = JSON.stringify(settings);
  if (runtime === 'python') return [PYTHON, [PYTHON_SCRIPT, '--method', method, '--settings', encoded]];
  return [process.execPath, [THIS_SCRIPT, '--child', method, '--settings', encoded]];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function report(results: ReadonlyMap<string, Figures[]>): string {
  const systems = SYSTEMS.filter((system) => (results.get(system)?.length ?? 0) > 0);
  const lines = [
    `| metric | unit | ${systems.join(' | ')} |`,
    `|---|---|${systems.map(() => '---:').join('|')}|`,
  ];
  for (const metric of METRICS) {
    const cells = systems.map((system) => {
      // Not measured (null in the child's JSON line): the acquireSync rows on the fallback.
      const values = (results.get(system) ?? [])
        .map((figures) => figures[metric.key])
        .filter((value) => Number.isFinite(value));
      if (values.length === 0) return 'n/a';
      const spread =
        values.length > 1
          ? ` (${formatNumber(Math.min(...values))}–${formatNumber(Math.max(...values))})`
          : '';
      return `${formatNumber(median(values))}${spread}`;
    });
    lines.push(`| ${metric.label} | ${metric.unit} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The `--sync` run, called by cli.ts. Returns the exit code. */
export async function runSyncObjectsBench(options: {
  quick: boolean;
  reps?: number;
  jsonFile?: string;
}): Promise<number> {
  const settings = options.quick ? QUICK : FULL;
  const reps = options.reps ?? (options.quick ? 1 : 3);
  const python = spawnSync(PYTHON, ['--version'], { encoding: 'utf8' });
  const pythonVersion = python.status === 0 ? python.stdout.trim() || python.stderr.trim() : undefined;
  console.log(
    `# mproc bench — queues, pipes and managers${options.quick ? ' (quick: not for quoting)' : ''}`,
  );
  console.log(
    `node ${process.version}, ${pythonVersion ?? 'no Python'}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ` +
      `load ${loadavg()[0].toFixed(2)}, ${new Date().toISOString()}`,
  );
  console.log(
    `${formatNumber(settings.roundTrips)} round trips, ${settings.byteTrips} × ${settings.bytes / 2 ** 20} MiB, ` +
      `${formatNumber(settings.appends)} appends (each after ${formatNumber(WARM_UP)} to warm up), ` +
      `2 × ${formatNumber(settings.lockPairs)} lock pairs and increments, ${reps} repetition(s): median (min–max)\n`,
  );
  const results = new Map<string, Figures[]>();
  const failures: string[] = [];
  for (let rep = 0; rep < reps; rep++) {
    for (const system of SYSTEMS) {
      if (system.startsWith('python/') && !pythonVersion) continue;
      const [command, args] = commandOf(system, settings);
      const result = await runChild(command, args);
      if ('error' in result) {
        failures.push(`${system} rep ${rep + 1}: ${result.error}`);
        console.log(`${system} rep ${rep + 1}: FAILED ${result.error}`);
        continue;
      }
      results.set(system, [...(results.get(system) ?? []), result]);
      const shown = METRICS.map((metric) =>
        Number.isFinite(result[metric.key]) ? `${formatNumber(result[metric.key])} ${metric.unit}` : 'n/a',
      );
      console.log(`${system} rep ${rep + 1}: ${shown.join(', ')}`);
    }
  }
  if (options.jsonFile) {
    const rows = [...results].flatMap(([system, figures]) =>
      METRICS.map((metric) => ({
        system,
        metric: metric.key,
        unit: metric.unit,
        median: median(figures.map((f) => f[metric.key]).filter((value) => Number.isFinite(value))),
        reps: figures.length,
      })),
    );
    writeFileSync(options.jsonFile, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  }
  console.log(`\n${report(results)}\n`);
  for (const failure of failures) console.log(`- FAILED ${failure}`);
  return failures.length > 0 ? 1 : 0;
}

// --- entry of a child -------------------------------------------------------------------------------

function startedAsScript(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === THIS_SCRIPT;
  } catch {
    return false;
  }
}

if (startedAsScript()) {
  const core = (await import(MPROC_CORE)) as Core;
  // Workers may import the main module (SPEC 3); only the process the parent started measures.
  if (core.isMainProcess()) {
    const { values } = parseArgs({ options: { child: { type: 'string' }, settings: { type: 'string' } } });
    const settings = JSON.parse(values.settings ?? '{}') as SyncSettings;
    const figures = await measure(core, values.child ?? 'threads', settings);
    process.stdout.write(`${RESULT_MARKER}${JSON.stringify(figures)}\n`, () => process.exit(0));
  }
}
