/**
 * A pool spread over two worker hosts (docs/scale-out.md): the 'bullmq' start method. On real machines
 * each host runs `npx mproc-worker --redis rediss://... --authkey-file ... --root <app dir>`; here the
 * program starts a redis-server and two hosts on this machine itself, so that it runs anywhere
 * redis-server is installed.
 *
 * Prints the squares of 0..9 and that both hosts took part.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bullmqBackend } from '@mproc/backend-bullmq';
import { authkeyFile, startHost, startRedis } from '@mproc/backend-bullmq/testing';
import { getContext, isMainProcess } from '@mproc/core';

// Tasks travel by module path and export name: the hosts import this file under their --root.
export function square(n: number): number {
  return n * n;
}

export async function hostPid(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 200)); // long enough for both hosts to be busy
  return process.pid;
}

async function main(): Promise<void> {
  const root = dirname(fileURLToPath(import.meta.url));
  const secrets = mkdtempSync(join(tmpdir(), 'mproc-example-'));
  const authkey = randomBytes(32).toString('hex');
  const redis = await startRedis();
  const hostArgs = [
    '--redis',
    redis.url(),
    '--authkey-file',
    authkeyFile(secrets, authkey),
    '--root',
    root,
    '--procs',
    '2',
  ];
  const hosts = [await startHost(hostArgs), await startHost(hostArgs)];
  try {
    const ctx = getContext(bullmqBackend({ redis: redis.url(), authkey, root }));
    await using pool = ctx.Pool({ processes: 8 }); // at most eight jobs in flight
    console.log(`squares: [${(await pool.map(square, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 2)).join(', ')}]`);
    // A host of two threads holds four jobs at most: eight at once need both hosts.
    const pids = new Set(await pool.map(hostPid, [1, 2, 3, 4, 5, 6, 7, 8], 1));
    console.log(`hosts that took part: ${pids.size}`);
  } finally {
    await Promise.all(hosts.map((host) => host.stop()));
    await redis.stop();
    rmSync(secrets, { recursive: true, force: true });
  }
}

if (isMainProcess()) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
