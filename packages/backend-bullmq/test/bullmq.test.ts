import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { watch } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BullmqOptions, bullmqBackend } from '@mproc/backend-bullmq';
import {
  authkeyFile,
  type HostProcess,
  hasRedisServer,
  type RedisServer,
  runHost,
  startHost,
  startRedis,
} from '@mproc/backend-bullmq/testing';
import { type Context, getContext, TaskTimeoutError, WorkerExitedError } from '@mproc/core';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveHosts, rosterWarning } from '../src/host-roster.js';
import * as tasks from './fixtures/tasks.mjs';

const TASKS = new URL('./fixtures/tasks.mjs', import.meta.url);
const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const AUTHKEY = 'test-authkey';

if (!hasRedisServer && process.env.CI) throw new Error('CI must have redis-server (.ci/run installs it)');

/** A describe of its own redis-server (and worker hosts), skipped by name without redis-server. */
function describeWithRedis(title: string, body: () => void): void {
  const reason = hasRedisServer ? '' : ' (skipped: no redis-server on the PATH)';
  describe.skipIf(!hasRedisServer)(`bullmq backend: ${title}${reason}`, body);
}

interface Cluster {
  readonly redis: RedisServer;
  /** A temporary directory for the authkey file and the tasks' records. */
  readonly dir: string;
  readonly hosts: HostProcess[];
  /** Host arguments with the authkey file and the fixtures' root. */
  hostArgs(procs: number, password?: string): string[];
  /** A context of a new backend on this cluster's Redis, with the hosts' authkey and root unless given. */
  context(options?: Partial<BullmqOptions>): Context;
}

/** Starts a redis-server and `hosts` worker hosts before the describe's tests, stops them after. */
function useCluster(options: { hosts: number; procs?: number; password?: string }): Cluster {
  const cluster = { hosts: [] as HostProcess[] } as { -readonly [K in keyof Cluster]: Cluster[K] };
  cluster.hostArgs = (procs, password) => [
    '--root',
    FIXTURES,
    '--redis',
    cluster.redis.url(password),
    '--authkey-file',
    authkeyFile(cluster.dir, AUTHKEY),
    '--procs',
    String(procs),
  ];
  cluster.context = (given) =>
    getContext(bullmqBackend({ redis: cluster.redis.url(), authkey: AUTHKEY, root: FIXTURES, ...given }));
  beforeAll(async () => {
    cluster.redis = await startRedis({ password: options.password });
    cluster.dir = mkdtempSync(join(tmpdir(), 'mproc-bullmq-'));
    for (let i = 0; i < options.hosts; i++) {
      cluster.hosts.push(await startHost(cluster.hostArgs(options.procs ?? 1, options.password)));
    }
  });
  afterAll(async () => {
    await Promise.all(cluster.hosts.map((host) => host.stop()));
    await cluster.redis?.stop();
    if (cluster.dir) rmSync(cluster.dir, { recursive: true, force: true });
  });
  return cluster;
}

describeWithRedis('two worker hosts against a real redis-server', () => {
  const cluster = useCluster({ hosts: 2, procs: 2 });
  const context = (authkey = AUTHKEY) => cluster.context({ authkey });

  it('map runs chunks on the worker hosts and keeps input order', async () => {
    await using pool = context().Pool({ processes: 4, modules: [TASKS] });
    const items = Array.from({ length: 1_000 }, (_, i) => i);
    expect(await pool.map(tasks.square, items, 10)).toEqual(items.map((n) => n * n));
  });

  it('processes is the cap on jobs in flight, spread over every host', async () => {
    await using pool = context().Pool({ processes: 8, modules: [TASKS] });
    // A host of two threads holds four jobs at most, so eight jobs of 200 ms at once need both.
    const pids = await pool.map(tasks.pidAfter, Array(8).fill(200), 1);
    expect(new Set(pids)).toEqual(new Set(cluster.hosts.map((host) => host.child.pid)));
  });

  it('10,000 concurrent applyAsync calls all settle, each with its own result', async () => {
    await using pool = context().Pool({ processes: 64, modules: [TASKS] });
    const results = Array.from({ length: 10_000 }, (_, i) => pool.applyAsync(tasks.square, [i]));
    const values = await Promise.all(results.map((result) => result.get()));
    expect(values).toEqual(values.map((_, i) => i * i));
  }, 60_000);

  it("a task's error arrives as the error it threw; the pool goes on", async () => {
    await using pool = context().Pool({ processes: 1, modules: [TASKS] });
    const error = await pool.apply(tasks.fail, ['no such item']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('no such item');
    expect(await pool.apply(tasks.square, [7])).toBe(49);
  });

  it('a task that ends its worker fails with WorkerExitedError; the pool goes on', async () => {
    await using pool = context().Pool({ processes: 1, modules: [TASKS] });
    await expect(pool.apply(tasks.exitWorker, [])).rejects.toBeInstanceOf(WorkerExitedError);
    expect(await pool.apply(tasks.square, [8])).toBe(64);
  });

  it('the executor submits and maps on the hosts', async () => {
    await using executor = context().ProcessPoolExecutor({ maxWorkers: 2, modules: [TASKS] });
    expect(await executor.submit(tasks.square, 9).result()).toBe(81);
    const mapped: number[] = [];
    for await (const value of executor.map(tasks.square, [1, 2, 3])) mapped.push(value);
    expect(mapped).toEqual([1, 4, 9]);
  });

  it('a function sent as source text is refused, naming what to do', async () => {
    await using pool = context().Pool({ processes: 1, modules: [TASKS] });
    const error = await pool.apply((n: number) => n + 1, [1]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/source text.*refuses.*export it/);
  });

  it('hosts not started with --allow-source-tasks refuse a task sent as source text', async () => {
    const ctx = cluster.context({ allowSourceTasks: true });
    await using pool = ctx.Pool({ processes: 1 });
    const error = await pool.apply((n: number) => n + 1, [1]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkerExitedError);
    expect(String((error as Error).cause)).toMatch(/only tasks named by module path.*--allow-source-tasks/);
  });

  it('a task that timed out has its host thread stopped: the threads serve the next tasks', async () => {
    await using pool = context().Pool({ processes: 1, modules: [TASKS] });
    // More hung tasks than the hosts have threads (2 × 2): each must be stopped for the next to run.
    for (let i = 0; i < 5; i++) {
      const error = await pool
        .apply(tasks.spinForever, [], { timeout: 300 })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TaskTimeoutError);
    }
    expect(await pool.map(tasks.square, [1, 2, 3, 4], 1)).toEqual([1, 4, 9, 16]);
  });

  it('a value over 256 KiB crosses both ways stored aside, and nothing of it is left in Redis', async () => {
    await using pool = context().Pool({ processes: 1, modules: [TASKS] });
    const text = 'x'.repeat(1024 * 1024);
    expect(await pool.apply(tasks.echo, [text])).toBe(text);
    const client = new Redis(cluster.redis.url());
    try {
      expect(await client.keys('mproc:mproc:stored:*')).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  it('a script that leaves its pool open ends once its last task is done, as with a local pool', async () => {
    const backendOptions = { redis: cluster.redis.url(), authkey: AUTHKEY, root: FIXTURES };
    const script = `
      import { getContext } from '@mproc/core';
      import { bullmqBackend } from '@mproc/backend-bullmq';
      const tasks = await import(${JSON.stringify(TASKS.href)});
      const ctx = getContext(bullmqBackend(${JSON.stringify(backendOptions)}));
      const pool = ctx.Pool({ processes: 1, modules: [${JSON.stringify(TASKS.href)}] });
      pool.applyAsync(tasks.sleepThen, [300, 'done late'], { callback: (value) => console.log(value) });
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Bounded: a script kept alive by the pool is killed, and the test fails on its output.
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const [code] = await once(child, 'exit');
    clearTimeout(killer);
    expect(output).toBe('done late\n');
    expect(code).toBe(0);
  });

  it('hosts refuse jobs sealed with another authkey, before resolving any module', async () => {
    await using pool = context('not-the-hosts-authkey').Pool({ processes: 1, modules: [TASKS] });
    const error = await pool.apply(tasks.square, [2]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkerExitedError);
    expect(String((error as Error).cause)).toMatch(/HMAC does not match/);
  });
});

/**
 * Resolves once `file` in `dir` has `lines` lines (and ends `changes`); returns the pids written to
 * it so far.
 */
async function firstRecord(
  dir: string,
  file: string,
  changes: AsyncIterable<{ filename: string | null }>,
  lines = 1,
) {
  const ranOn = () => readFileSync(join(dir, file), 'utf8').trim().split('\n').filter(Boolean).map(Number);
  for await (const change of changes) if (change.filename === file && ranOn().length >= lines) break;
  return ranOn;
}

describeWithRedis('a worker host that dies', () => {
  const cluster = useCluster({ hosts: 2 });

  it('its task runs again on another host once its lock expires, and the pool keeps one result', async () => {
    const ctx = cluster.context();
    await using pool = ctx.Pool({ processes: 1, modules: [TASKS] });
    const changes = watch(cluster.dir);
    const result = pool.applyAsync(tasks.recordThenSleep, [join(cluster.dir, 'ran-on'), 1_000]);
    const ranOn = await firstRecord(cluster.dir, 'ran-on', changes);
    const [first] = ranOn();
    cluster.hosts.find((host) => host.child.pid === first)?.child.kill('SIGKILL');
    // About 8–10 s with the hosts' 5 s lock and 2.5 s stall check; how long is a bench figure.
    const pid = await result.get(40_000);
    const survivor = cluster.hosts.find((host) => host.child.pid !== first)?.child.pid;
    expect(pid).toBe(survivor);
    // At least once: it ran on both hosts; the pool has the one result of the survivor.
    expect(ranOn()).toEqual([first, survivor]);
  }, 60_000);
});

describeWithRedis('a job whose worker hosts die twice', () => {
  const cluster = useCluster({ hosts: 3 });

  it('rejects its call with WorkerExitedError saying so; the third host does not run it', async () => {
    const ctx = cluster.context();
    await using pool = ctx.Pool({ processes: 1, modules: [TASKS] });
    const changes = watch(cluster.dir);
    const again = watch(cluster.dir);
    const result = pool.apply(tasks.recordThenSpin, [join(cluster.dir, 'ran-on')]);
    const ranOn = await firstRecord(cluster.dir, 'ran-on', changes);
    const kill = (pid: number | undefined) =>
      cluster.hosts.find((host) => host.child.pid === pid)?.child.kill('SIGKILL');
    kill(ranOn()[0]);
    await firstRecord(cluster.dir, 'ran-on', again, 2);
    kill(ranOn()[1]);
    // About 8–10 s per loss with the hosts' 5 s lock and 2.5 s stall check.
    const error = await result.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkerExitedError);
    expect(String((error as Error).cause)).toMatch(/the worker hosts running the job died twice/);
    expect(ranOn()).toHaveLength(2);
  }, 60_000);
});

describeWithRedis('Redis that loses its data (a restart without persistence, a flush)', () => {
  const cluster = useCluster({ hosts: 1 });

  it('a call whose job is gone rejects, naming why, and the calls after it run', async () => {
    const ctx = cluster.context();
    // Two seats: the one whose job is lost ends, the other keeps the producer's connection open.
    await using pool = ctx.Pool({ processes: 2, modules: [TASKS] });
    const changes = watch(cluster.dir);
    const lost = pool.apply(tasks.recordThenSleep, [join(cluster.dir, 'lost'), 3_000]);
    await firstRecord(cluster.dir, 'lost', changes);
    const client = new Redis(cluster.redis.url());
    try {
      await client.flushall();
      const error = await lost.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WorkerExitedError);
      expect(String((error as Error).cause)).toMatch(/its job is no longer in Redis/);
      // The flush took the producer's lease too (hosts would drop its jobs): its next batch of jobs
      // takes it again, long before the lease's renewal is due.
      expect(await pool.apply(tasks.square, [3])).toBe(9);
      expect(await client.keys('mproc:mproc:producers:*')).toHaveLength(1);
    } finally {
      client.disconnect();
    }
  }, 60_000);
});

describeWithRedis('a worker host asked to stop', () => {
  const cluster = useCluster({ hosts: 1 });

  it('finishes the job it holds on SIGTERM, then exits 0', async () => {
    const [host] = cluster.hosts as [HostProcess];
    const ctx = cluster.context();
    await using pool = ctx.Pool({ processes: 1, modules: [TASKS] });
    const changes = watch(cluster.dir);
    const result = pool.applyAsync(tasks.recordThenSleep, [join(cluster.dir, 'ran-on'), 500]);
    await firstRecord(cluster.dir, 'ran-on', changes);
    const exited = once(host.child, 'exit');
    host.child.kill('SIGTERM');
    expect(await result.get(10_000)).toBe(host.child.pid);
    expect(await exited).toEqual([0, null]);
    const client = new Redis(cluster.redis.url());
    try {
      expect(await liveHosts(client, { ...ADDRESS, url: new URL(cluster.redis.url()) })).toEqual([]);
    } finally {
      client.disconnect();
    }
  });
});

describeWithRedis('a worker host whose task never ends', () => {
  const cluster = useCluster({ hosts: 1 });

  it('exits at once, with status 1, on a second SIGTERM', async () => {
    const [host] = cluster.hosts as [HostProcess];
    const ctx = cluster.context();
    await using pool = ctx.Pool({ processes: 1, modules: [TASKS] });
    const changes = watch(cluster.dir);
    pool.applyAsync(tasks.recordThenSpin, [join(cluster.dir, 'spinning-on')]);
    await firstRecord(cluster.dir, 'spinning-on', changes);
    const exited = once(host.child, 'exit');
    const stopping = new Promise<void>((resolve) =>
      host.child.stderr?.on(
        'data',
        (chunk: Buffer) => chunk.toString().includes('signal again') && resolve(),
      ),
    );
    host.child.kill('SIGTERM');
    await stopping;
    host.child.kill('SIGTERM');
    expect(await exited).toEqual([1, null]);
  });
});

describeWithRedis('a pool with an initializer', () => {
  const cluster = useCluster({ hosts: 1 });

  it("a pool's initArgs cross once per host, not with every job", async () => {
    const text = 'x'.repeat(1024 * 1024);
    const client = new Redis(cluster.redis.url());
    const receivedByRedis = async () =>
      Number(/total_net_input_bytes:(\d+)/.exec(await client.info('stats'))?.[1]);
    try {
      const before = await receivedByRedis();
      const ctx = cluster.context();
      await using pool = ctx.Pool({
        processes: 2,
        modules: [TASKS],
        initializer: tasks.remember,
        initArgs: [text],
      });
      expect(await pool.map(tasks.rememberedLength, Array(20).fill(undefined), 1)).toEqual(
        Array(20).fill(text.length),
      );
      // The 1 MiB profile once, and jobs of a few hundred bytes: not 1 MiB per job.
      expect((await receivedByRedis()) - before).toBeLessThan(3 * text.length);
      expect(await client.keys('mproc:mproc:profiles:*')).toHaveLength(1);
    } finally {
      client.disconnect();
    }
  });

  it('a profile that Redis lost is written again when the lease is renewed', async () => {
    const client = new Redis(cluster.redis.url());
    const watcher = new Redis(cluster.redis.url());
    try {
      await using pool = cluster.context({ leaseMs: 1_000 }).Pool({
        processes: 1,
        modules: [TASKS],
        initializer: tasks.remember,
        initArgs: ['kept'],
      });
      expect(await pool.apply(tasks.rememberedLength)).toBe(4);
      // Redis says when a profile is written (keyspace notifications of string commands).
      await client.config('SET', 'notify-keyspace-events', 'K$');
      await watcher.psubscribe('__keyspace@0__:mproc:mproc:profiles:*');
      const rewritten = once(watcher, 'pmessage');
      await client.flushall();
      // Within a third of the lease; a profile never written again fails the test by its timeout.
      await rewritten;
      expect(await pool.apply(tasks.rememberedLength)).toBe(4);
    } finally {
      client.disconnect();
      watcher.disconnect();
    }
  });
});

describeWithRedis('a producer that dies', () => {
  const cluster = useCluster({ hosts: 1 });

  it('once its lease runs out, hosts stop its running task and drop its waiting job', async () => {
    const backendOptions = { redis: cluster.redis.url(), authkey: AUTHKEY, root: FIXTURES, leaseMs: 1_000 };
    const script = `
      import { getContext } from '@mproc/core';
      import { bullmqBackend } from '@mproc/backend-bullmq';
      const tasks = await import(${JSON.stringify(TASKS.href)});
      const ctx = getContext(bullmqBackend(${JSON.stringify(backendOptions)}));
      const pool = ctx.Pool({ processes: 2, modules: [${JSON.stringify(TASKS.href)}] });
      // The host's one thread runs the first; the second waits on the host for it.
      for (const file of ['spinning-on', 'never-ran']) {
        pool.apply(tasks.recordThenSpin, [${JSON.stringify(cluster.dir)} + '/' + file]).catch(() => {});
      }
    `;
    const changes = watch(cluster.dir);
    const producer = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
    try {
      await firstRecord(cluster.dir, 'spinning-on', changes);
    } finally {
      producer.kill('SIGKILL');
    }
    // The host's only thread is free again once the first job is stopped and the second dropped.
    const ctx = cluster.context();
    await using pool = ctx.Pool({ processes: 1, modules: [TASKS] });
    expect(await pool.apply(tasks.square, [7], { timeout: 30_000 })).toBe(49);
    const connection = new Redis(cluster.redis.url(), { maxRetriesPerRequest: null });
    const queue = new Queue('mproc', { connection, prefix: 'mproc' });
    try {
      const failed = await queue.getFailed();
      expect(failed.map((job) => job.failedReason)).toEqual([
        expect.stringMatching(/producer's lease ran out/),
        expect.stringMatching(/producer's lease ran out/),
      ]);
    } finally {
      await queue.close();
      connection.disconnect();
    }
    expect(() => readFileSync(join(cluster.dir, 'never-ran'))).toThrow(/ENOENT/);
  }, 60_000);
});

/** Resolves with the next warning this process emits with `code`. */
function nextWarning(code: string): Promise<Error> {
  return new Promise((resolve) => {
    const listener = (warning: Error & { code?: string }) => {
      if (warning.code !== code) return;
      process.off('warning', listener);
      resolve(warning);
    };
    process.on('warning', listener);
  });
}

/** A root directory with a package.json of its own (another code hash than the hosts'). */
function rootWithPackage(dir: string, name: string): string {
  const root = mkdtempSync(join(dir, 'root-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name }));
  return root;
}

const ADDRESS = { queue: 'mproc', prefix: 'mproc' };

describeWithRedis('a pool whose queue no worker host serves', () => {
  const cluster = useCluster({ hosts: 0 });

  it('mproc-worker --list says so', async () => {
    const listed = await runHost(['--list', '--redis', cluster.redis.url(), '--queue', 'other']);
    expect(listed).toEqual({ code: 0, output: 'no worker host serves queue other (prefix mproc)\n' });
  });

  it('warns when it starts, naming the queue and how to start a host', async () => {
    const warned = nextWarning('MPROC_NO_WORKER_HOST');
    const ctx = cluster.context();
    const pool = ctx.Pool({ processes: 1, modules: [TASKS] });
    const pending = pool.applyAsync(tasks.square, [2]); // waits in Redis: nobody runs it
    try {
      expect((await warned).message).toMatch(
        /no worker host serves queue 'mproc' \(prefix 'mproc'\).*mproc-worker/,
      );
    } finally {
      await pool.terminate();
    }
    await expect(pending.get()).rejects.toThrow();
  });
});

describeWithRedis('the worker hosts a pool finds', () => {
  const cluster = useCluster({ hosts: 1 });

  it("are read from the hosts' announcements; only other Node majors or other code are warned of", async () => {
    const [host] = cluster.hosts as [HostProcess];
    const client = new Redis(cluster.redis.url());
    try {
      const address = { ...ADDRESS, url: new URL(cluster.redis.url()) };
      const hosts = await liveHosts(client, address);
      expect(hosts).toEqual([
        expect.objectContaining({ pid: host.child.pid, procs: 1, node: process.versions.node.split('.')[0] }),
      ]);
      expect(rosterWarning(hosts, address, FIXTURES)).toBeUndefined();
      const older = hosts.map((announced) => ({ ...announced, node: '18' }));
      expect(rosterWarning([...hosts, ...older], address, FIXTURES)?.message).toMatch(
        /1 of the 2 worker hosts of queue 'mproc' \(prefix 'mproc'\) run Node 18, this producer Node \d+/,
      );
      const producerRoot = rootWithPackage(cluster.dir, 'another-app');
      expect(rosterWarning(hosts, address, producerRoot)).toEqual({
        code: 'MPROC_WORKER_HOST_MISMATCH',
        message: expect.stringMatching(
          /the worker host of queue 'mproc' \(prefix 'mproc'\) runs other code than this producer/,
        ),
      });
    } finally {
      client.disconnect();
    }
  });

  it('mproc-worker --list prints them', async () => {
    const [host] = cluster.hosts as [HostProcess];
    const listed = await runHost(['--list', '--redis', cluster.redis.url()]);
    expect(listed.code).toBe(0);
    const node = process.versions.node.split('.')[0];
    expect(listed.output).toMatch(
      new RegExp(
        `^\\S+ pid ${host.child.pid}: 1 thread, Node ${node}, code unknown \\(no package.json\\)\n$`,
      ),
    );
  });

  it('a pool under a root with other code than the hosts warns when it starts', async () => {
    const warned = nextWarning('MPROC_WORKER_HOST_MISMATCH');
    const root = rootWithPackage(cluster.dir, 'another-app');
    const ctx = cluster.context({ root });
    await using pool = ctx.Pool({ processes: 1 });
    expect((await warned).message).toMatch(/runs other code than this producer/);
    expect(pool.workers).toHaveLength(1);
  });
});

describeWithRedis('Redis with a password', () => {
  const cluster = useCluster({ hosts: 0, password: 'right-password' });

  it('a pool given a wrong password fails in seconds, naming the reason', async () => {
    const ctx = cluster.context({ redis: cluster.redis.url('wrong') });
    await using pool = ctx.Pool({ processes: 1, modules: [TASKS] });
    const error = await pool.apply(tasks.square, [2]).catch((caught: unknown) => caught);
    expect(String((error as Error).message) + String((error as Error).cause)).toMatch(
      /WRONGPASS|invalid password/i,
    );
  });

  it('a worker host given a wrong password exits with the reason', async () => {
    const result = await runHost(cluster.hostArgs(1, 'wrong'));
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/WRONGPASS|invalid password/i);
  });
});

describe('bullmq backend: options', () => {
  it('refuses a remote Redis without a password, or without TLS, unless allowed', () => {
    expect(() => bullmqBackend({ redis: 'redis://10.0.0.5:6379', authkey: 'k' })).toThrow(
      /without a password/,
    );
    expect(() => bullmqBackend({ redis: 'redis://:pw@10.0.0.5:6379', authkey: 'k' })).toThrow(/without TLS/);
    expect(() =>
      bullmqBackend({ redis: 'redis://10.0.0.5:6379', authkey: 'k', allowInsecure: true }),
    ).not.toThrow();
    expect(() => bullmqBackend({ redis: 'rediss://:pw@10.0.0.5:6379', authkey: 'k' })).not.toThrow();
  });

  it('takes a lease of at least 1,000 ms, as a whole number', () => {
    const options = { redis: 'redis://127.0.0.1:6379', authkey: 'k' };
    for (const leaseMs of [999, 1_500.5, Number.NaN, '30000']) {
      expect(() => bullmqBackend({ ...options, leaseMs } as never)).toThrow(/leaseMs must be a whole number/);
    }
    expect(() => bullmqBackend({ ...options, leaseMs: 1_000 })).not.toThrow();
  });

  it('needs an authkey, and a redis URL', () => {
    expect(() => bullmqBackend({ redis: 'redis://127.0.0.1:6379', authkey: '' })).toThrow(/authkey/);
    expect(() => bullmqBackend({ redis: 'http://127.0.0.1', authkey: 'k' })).toThrow(/redis:\/\//);
  });
});
