import { execFile } from 'node:child_process';
import cluster, { type Address, type Worker } from 'node:cluster';
import { readFile } from 'node:fs/promises';
import http, { type Server } from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { getContext } from '@mproc/core';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

interface TestGlobals {
  __mprocPool?: string;
  __mprocServer?: Server;
}

/** One HTTP GET on a new connection (no keep-alive, so the primary hands each to a worker). */
function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, agent: false, timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve(body));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer on port ${port} within 5 s`)));
    request.on('error', reject);
  });
}

/** Whether something accepts connections on `port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once `condition()` holds; throws after `bound` ms. Processes give no event for this. */
async function waitFor(condition: () => Promise<boolean>, bound: number, what: string): Promise<void> {
  const deadline = Date.now() + bound;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${bound} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** `promise`, or a rejection naming `what` after `bound` ms. */
async function bounded<T>(promise: Promise<T>, bound: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${bound} ms`)), bound);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** True once `pid` is no process, or only a zombie waiting for its new parent to reap it. */
async function isGone(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat === '' || (stat.split(') ')[1]?.startsWith('Z') ?? false);
}

describe('cluster backend', () => {
  it('pools with different initializers, env and execArgv coexist in one process', async () => {
    const settingsBefore = cluster.settings;
    const context = getContext('cluster');
    const read = () => [
      (globalThis as TestGlobals).__mprocPool,
      process.env.MPROC_CLUSTER_POOL,
      process.execArgv,
    ];
    // Both pools start their workers at once, so their forks interleave.
    await using first = context.Pool({
      processes: 2,
      initializer: () => {
        (globalThis as TestGlobals).__mprocPool = 'first';
      },
      env: { MPROC_CLUSTER_POOL: 'env of the first' },
      execArgv: ['--max-old-space-size=100'],
    });
    await using second = context.Pool({
      processes: 2,
      initializer: (name: string) => {
        (globalThis as TestGlobals).__mprocPool = name;
      },
      initArgs: ['second'],
      env: { ...process.env, MPROC_CLUSTER_POOL: 'env of the second' },
      execArgv: ['--max-old-space-size=120'],
    });
    const [fromFirst, fromSecond] = await Promise.all([
      first.map(read, [1, 2, 3, 4], 1),
      second.map(read, [1, 2, 3, 4], 1),
    ]);
    for (const answer of fromFirst) {
      expect(answer).toEqual(['first', 'env of the first', ['--max-old-space-size=100']]);
    }
    for (const answer of fromSecond) {
      expect(answer).toEqual(['second', 'env of the second', ['--max-old-space-size=120']]);
    }
    // The backend puts the user's cluster settings back after each fork.
    expect(cluster.settings).toBe(settingsBefore);
  });

  it('four workers answer HTTP on one shared port', async () => {
    // The primary (this process) reports each worker's listen() as a cluster 'listening' event.
    const listening = new Map<number, number>();
    let allListening!: () => void;
    const fourListening = new Promise<void>((resolve) => {
      allListening = resolve;
    });
    const onListening = (worker: Worker, address: Address) => {
      listening.set(worker.process.pid as number, address.port);
      if (listening.size === 4) allListening();
    };
    cluster.on('listening', onListening);
    const pool = getContext('cluster').Pool({
      processes: 4,
      // Runs in every worker: each one listens. It is sent as source text, so it loads what it needs
      // itself; not with import(), which vitest rewrites in this file into a helper workers lack.
      initializer: async () => {
        const { createServer } = process.getBuiltinModule('node:http');
        const server = createServer((_request, response) => response.end(String(process.pid)));
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          // Port 0 in cluster workers: the primary picks one port and shares it with every worker.
          server.listen(0, '127.0.0.1', resolve);
        });
        (globalThis as TestGlobals).__mprocServer = server;
      },
    });
    let port = 0;
    try {
      await pool.apply(() => 'started');
      await bounded(fourListening, 10_000, 'four workers listen');
      expect([...listening.keys()].sort()).toEqual([...pool.workers].sort());
      const ports = new Set(listening.values());
      expect(ports.size).toBe(1);
      port = [...ports][0] as number;
      expect(port).toBeGreaterThan(0);
      const answers: string[] = [];
      for (let index = 0; index < 16; index++) answers.push(await get(port));
      const pids = new Set(answers.map(Number));
      expect(pids.size).toBeGreaterThan(1);
      for (const pid of pids) expect(pool.workers).toContain(pid);
    } finally {
      cluster.off('listening', onListening);
      // The workers' servers end with them; the primary then closes the shared port.
      await pool.terminate();
    }
    await waitFor(async () => !(await accepts(port)), 5_000, 'the shared port is closed');
  });

  it('an idle pool does not keep its parent alive, and its workers leave with the parent', async () => {
    const source = `
      import { getContext } from '@mproc/core';
      const pool = getContext('cluster').Pool({ processes: 2 });
      await pool.map((x) => x, [1, 2], 1);
      console.log(JSON.stringify(pool.workers));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', source], {
      cwd: PACKAGE_DIR,
      timeout: 20_000,
    });
    const pids = JSON.parse(stdout) as number[];
    expect(pids).toHaveLength(2);
    await waitFor(
      async () => (await Promise.all(pids.map(isGone))).every(Boolean),
      10_000,
      `workers ${pids.join(', ')} exit`,
    );
  });
});
