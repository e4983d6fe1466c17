/**
 * `npm run scale-out -- [--hosts 1,2,4] [--procs N] [--reps N]`: the 'bullmq' start method with 1, 2
 * and 4 worker hosts (`mproc-worker` processes on loopback, each with --procs threads) against a
 * redis-server started here: chunked `map` (100 chunks of 100 items) and tiny `applyAsync` (2,000
 * calls in flight), medians of the repetitions, and where the CPU time of the maps went (producer,
 * hosts, redis-server; read from /proc, so on Linux only); beside it, in the same run, the same map
 * on BullMQ alone (hosts of workers/raw-bullmq-host.ts); then the time for a SIGKILLed host's task to
 * complete on another host. Hosts run on this machine, so they share its cores with Redis and the
 * producer: each in a network namespace of its own, reaching Redis over a veth link (netns.ts), where
 * this process may make them (root), else on loopback (`--netns no` asks for loopback).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { watch } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bullmqBackend } from '@mproc/backend-bullmq';
import {
  authkeyFile,
  type HostProcess,
  type RedisServer,
  startHost,
  startRedis,
} from '@mproc/backend-bullmq/testing';
import { getContext, type Pool } from '@mproc/core';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { type HostNetwork, makeNetworks } from './netns.js';
import { median } from './stats.js';
import * as tasks from './workers/scale-out-tasks.js';

const TASKS = new URL('./workers/scale-out-tasks.js', import.meta.url);
const RAW_HOST = fileURLToPath(new URL('./workers/raw-bullmq-host.js', import.meta.url));
const RAW_QUEUE = 'raw';
const ROOT = dirname(fileURLToPath(import.meta.url));
const CHUNKS = 100;
const CHUNK = 100;
const TINY_CALLS = 2_000;
/** Jobs in flight, whatever the number of hosts. */
const IN_FLIGHT = 16;

/** Where hosts run: on loopback, or each in a network namespace of its own (netns.ts). */
class Placement {
  readonly #networks: readonly HostNetwork[] | undefined;
  /** Redis is reached over a network in namespaces: it asks for a password there, as hosts expect. */
  readonly #password: string | undefined;

  constructor(networks?: readonly HostNetwork[]) {
    this.#networks = networks;
    this.#password = networks ? randomBytes(16).toString('hex') : undefined;
  }

  startRedis(): Promise<RedisServer> {
    return startRedis({ password: this.#password, bind: this.#networks?.map((net) => net.redisAddress) });
  }

  /** The producer's Redis URL: loopback. */
  producerUrl(redis: RedisServer): string {
    return redis.url(this.#password);
  }

  /**
   * The `index`th host's Redis URL, the options its command needs, and its namespace. Over a veth
   * link the URL is not loopback: a password without TLS needs the host's explicit opt-out.
   */
  host(redis: RedisServer, index: number): { url: string; args: string[]; netns?: string } {
    const net = this.#networks?.[index];
    if (!net) return { url: redis.url(), args: [] };
    return {
      url: `redis://:${this.#password}@${net.redisAddress}:${redis.port}`,
      args: ['--allow-insecure'],
      netns: net.name,
    };
  }
}

interface Cluster {
  readonly redis: RedisServer;
  readonly hosts: HostProcess[];
  readonly pool: Pool;
  close(): Promise<void>;
}

async function startCluster(
  hostCount: number,
  procs: number,
  dir: string,
  placement: Placement,
): Promise<Cluster> {
  const authkey = randomBytes(32).toString('hex');
  const redis = await placement.startRedis();
  const args = ['--authkey-file', authkeyFile(dir, authkey), '--root', ROOT, '--procs', String(procs)];
  const hosts = await Promise.all(
    Array.from({ length: hostCount }, (_, index) => {
      const { url, args: more, netns } = placement.host(redis, index);
      return startHost(['--redis', url, ...more, ...args], { netns });
    }),
  );
  const redisUrl = placement.producerUrl(redis);
  const pool = getContext(bullmqBackend({ redis: redisUrl, authkey, root: ROOT })).Pool({
    processes: IN_FLIGHT,
    modules: [TASKS],
  });
  return {
    redis,
    hosts,
    pool,
    async close() {
      await pool.terminate();
      await Promise.all(hosts.map((host) => host.stop()));
      await redis.stop();
    },
  };
}

/** Clock ticks per second of /proc's CPU times. */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU seconds (user + system) a process has used so far; undefined where /proc cannot tell. */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by the producer (this process), the hosts together, and Redis. */
function cpuSnapshot(hostPids: (number | undefined)[], redisPid: number | undefined) {
  const hosts = hostPids.map(cpuSecondsOf);
  const usage = process.cpuUsage();
  return {
    producer: (usage.user + usage.system) / 1e6,
    hosts: hosts.includes(undefined) ? undefined : (hosts as number[]).reduce((a, b) => a + b, 0),
    redis: cpuSecondsOf(redisPid),
  };
}

/** Sums the CPU time of the measured maps, and gives it in milliseconds per job. */
class MapCpu {
  readonly #total = { producer: 0, hosts: 0, redis: 0 };
  #maps = 0;

  async measure<T>(hostPids: (number | undefined)[], redisPid: number | undefined, map: () => Promise<T>) {
    const before = cpuSnapshot(hostPids, redisPid);
    const result = await map();
    const after = cpuSnapshot(hostPids, redisPid);
    for (const part of ['producer', 'hosts', 'redis'] as const) {
      this.#total[part] += (after[part] ?? Number.NaN) - (before[part] ?? Number.NaN);
    }
    this.#maps++;
    return result;
  }

  /** Milliseconds of CPU per 100-item job: producer / hosts / Redis. */
  toString(): string {
    const perJob = (seconds: number) => ((seconds / (this.#maps * CHUNKS)) * 1000).toFixed(2);
    return `${perJob(this.#total.producer)} / ${perJob(this.#total.hosts)} / ${perJob(this.#total.redis)}`;
  }
}

async function perSecond(count: number, run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return Math.round(count / ((performance.now() - started) / 1000));
}

const ITEMS = Array.from({ length: CHUNKS * CHUNK }, (_, i) => i);

async function throughput(hostCount: number, procs: number, reps: number, dir: string, placement: Placement) {
  const cluster = await startCluster(hostCount, procs, dir, placement);
  try {
    const map = () => cluster.pool.map(tasks.square, ITEMS, CHUNK);
    const tiny = () =>
      Promise.all(
        Array.from({ length: TINY_CALLS }, (_, i) => cluster.pool.applyAsync(tasks.inc, [i]).get()),
      );
    await map(); // warm-up: every host has loaded the task module
    const maps: number[] = [];
    const tinies: number[] = [];
    const cpu = new MapCpu();
    const pids = cluster.hosts.map((host) => host.child.pid);
    for (let rep = 0; rep < reps; rep++) {
      maps.push(await cpu.measure(pids, cluster.redis.pid, () => perSecond(ITEMS.length, map)));
      tinies.push(await perSecond(TINY_CALLS, tiny));
    }
    return { maps, tinies, cpu };
  } finally {
    await cluster.close();
  }
}

/** A host of BullMQ alone (workers/raw-bullmq-host.ts), once it pulls jobs. */
async function startRawHost(url: string, netns: string | undefined): Promise<ChildProcess> {
  const command = [process.execPath, RAW_HOST, url, RAW_QUEUE];
  if (netns) command.unshift('ip', 'netns', 'exec', netns);
  const child = spawn(command[0] as string, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  if (!chunk.toString().includes('ready')) {
    child.kill('SIGKILL');
    throw new Error(`raw BullMQ host: ${chunk}`);
  }
  return child;
}

/** Stops a host of BullMQ alone: it closes its worker on SIGTERM, and is killed if that hangs. */
async function stopRawHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

/**
 * The peer of the chunked map: BullMQ alone, as its documentation shows. The 100 jobs go in one
 * `addBulk` with ids of their own; their results come from the `completed` events, read by a
 * QueueEvents that listens before they are added.
 */
async function rawThroughput(hostCount: number, reps: number, placement: Placement) {
  const redis = await placement.startRedis();
  const hosts = await Promise.all(
    Array.from({ length: hostCount }, (_, index) => {
      const { url, netns } = placement.host(redis, index);
      return startRawHost(url, netns);
    }),
  );
  const connection = new Redis(placement.producerUrl(redis), { maxRetriesPerRequest: null });
  const queue = new Queue(RAW_QUEUE, { connection, defaultJobOptions: { removeOnComplete: true } });
  const events = new QueueEvents(RAW_QUEUE, { connection });
  try {
    await events.waitUntilReady();
    const waiting = new Map<string, (result: number[]) => void>();
    events.on('completed', ({ jobId, returnvalue }) =>
      waiting.get(jobId)?.(returnvalue as unknown as number[]),
    );
    let batch = 0;
    /** Resolves with the items per second of the `addBulk` alone, once every result has come. */
    const map = async () => {
      batch++;
      const ids = Array.from({ length: CHUNKS }, (_, i) => `${batch}-${i}`);
      const results = ids.map((id) => new Promise<number[]>((resolve) => waiting.set(id, resolve)));
      const adding = perSecond(ITEMS.length, () =>
        queue.addBulk(
          ids.map((jobId, i) => ({
            name: 'square',
            data: { items: ITEMS.slice(i * CHUNK, (i + 1) * CHUNK) },
            opts: { jobId },
          })),
        ),
      );
      const squares = (await Promise.all(results)).flat();
      for (const id of ids) waiting.delete(id);
      if (squares.length !== ITEMS.length) throw new Error(`raw BullMQ: ${squares.length} results`);
      return adding;
    };
    await map(); // warm-up, as for mproc
    const maps: number[] = [];
    const adds: number[] = [];
    const cpu = new MapCpu();
    const pids = hosts.map((host) => host.pid);
    for (let rep = 0; rep < reps; rep++) {
      const started = performance.now();
      adds.push(await cpu.measure(pids, redis.pid, map));
      maps.push(Math.round(ITEMS.length / ((performance.now() - started) / 1000)));
    }
    return { maps, adds, cpu };
  } finally {
    await events.close();
    await queue.close();
    connection.disconnect();
    await Promise.all(hosts.map(stopRawHost));
    await redis.stop();
  }
}

/** Milliseconds from a host's SIGKILL to its task's result from the other host. */
async function failover(
  dir: string,
  placement: Placement,
): Promise<{ ms: number; ranOn: number[]; answeredBy: number }> {
  const cluster = await startCluster(2, 1, dir, placement);
  try {
    const record = join(dir, 'ran-on');
    const ranOn = () => readFileSync(record, 'utf8').trim().split('\n').filter(Boolean).map(Number);
    const changes = watch(dir);
    const result = cluster.pool.applyAsync(tasks.recordThenSleep, [record, 500]);
    for await (const change of changes) if (change.filename === 'ran-on' && ranOn().length > 0) break;
    const killedAt = performance.now();
    cluster.hosts.find((host) => host.child.pid === ranOn()[0])?.child.kill('SIGKILL');
    const answeredBy = await result.get(60_000);
    return { ms: Math.round(performance.now() - killedAt), ranOn: ranOn(), answeredBy };
  } finally {
    await cluster.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hosts: { type: 'string', default: '1,2,4' },
      procs: { type: 'string', default: '1' },
      reps: { type: 'string', default: '5' },
      netns: { type: 'string', default: 'auto' },
    },
  });
  const hostCounts = values.hosts.split(',').map(Number);
  const procs = Number(values.procs);
  const reps = Number(values.reps);
  const made = values.netns === 'no' ? { why: '--netns no' } : makeNetworks(Math.max(2, ...hostCounts));
  const placement = new Placement('networks' in made ? made.networks : undefined);
  const dir = mkdtempSync(join(tmpdir(), 'mproc-scale-out-'));
  try {
    console.log(
      `scale-out: ${CHUNKS} chunks of ${CHUNK} items and ${TINY_CALLS} tiny calls, ${IN_FLIGHT} jobs in flight, ` +
        `hosts of ${procs} thread(s), ${reps} repetitions; node ${process.version}; ` +
        `${'networks' in made ? 'each host in a network namespace of its own, Redis over a veth link' : `hosts on loopback (no network namespaces: ${made.why})`}\n`,
    );
    console.log(
      '| hosts | map items/s: mproc | map items/s: BullMQ alone | mproc / BullMQ | BullMQ alone, its addBulk only | map CPU ms per job, producer / hosts / Redis: mproc | the same, BullMQ alone | tiny calls/s: mproc |',
    );
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
    const shown = (values: number[]) =>
      `${Math.round(median(values)).toLocaleString('en-US')} (${Math.min(...values).toLocaleString('en-US')}–${Math.max(...values).toLocaleString('en-US')})`;
    for (const hostCount of hostCounts) {
      const mproc = await throughput(hostCount, procs, reps, dir, placement);
      const raw = await rawThroughput(hostCount, reps, placement);
      const ratio = (median(mproc.maps) / median(raw.maps)).toFixed(2);
      console.log(
        `| ${hostCount} | ${shown(mproc.maps)} | ${shown(raw.maps)} | ${ratio} | ${shown(raw.adds)} | ${mproc.cpu} | ${raw.cpu} | ${shown(mproc.tinies)} |`,
      );
    }
    const { ms, ranOn, answeredBy } = await failover(dir, placement);
    console.log(
      `\nfailover: a SIGKILLed host's task answered by the other host ${ms} ms after the kill ` +
        `(ran on ${ranOn.length} hosts: at least once; answered ${answeredBy === ranOn.at(-1) ? 'by the survivor' : 'by ?'})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if ('networks' in made) made.remove();
  }
}

await main();
