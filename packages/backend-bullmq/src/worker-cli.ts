#!/usr/bin/env node
/**
 * `mproc-worker`: a worker host for the 'bullmq' start method. Runs until SIGINT or SIGTERM, then
 * finishes the jobs it holds and exits; a second signal makes it exit at once.
 */
import { createSecretKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { liveHosts } from './host-roster.js';
import type { QueueAddress } from './queue-address.js';
import { checkRedisUrl, connectRedis } from './redis-connection.js';
import { WorkerHost } from './worker-host.js';

const USAGE = `Usage: mproc-worker --redis URL --authkey-file FILE [options]
       mproc-worker --list --redis URL [--queue NAME] [--prefix PREFIX]

  --redis URL          redis://[user:password@]host:port, or rediss:// for TLS
  --authkey-file FILE  the secret shared with the producers (the file's bytes, a final newline dropped)
  --queue NAME         the queue to pull from (default mproc)
  --prefix PREFIX      prefix of the queue's Redis keys (default mproc)
  --root DIR           tasks are module paths relative to it (default: the working directory)
  --procs N            worker threads, tasks run at once (default: the number of CPUs)
  --allow-insecure     accept a remote Redis without a password or without TLS
  --allow-source-tasks run functions sent as source text (producers' allowSourceTasks): any
                       holder of the authkey then runs code of its choosing here
  --list               print the hosts that serve the queue now (machine, pid, threads, Node
                       major, code hash), then exit
`;

function fail(message: string): never {
  process.stderr.write(`mproc-worker: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parse() {
  const { values } = parseArgs({
    options: {
      redis: { type: 'string' },
      'authkey-file': { type: 'string' },
      queue: { type: 'string', default: 'mproc' },
      prefix: { type: 'string', default: 'mproc' },
      root: { type: 'string', default: '.' },
      procs: { type: 'string' },
      'allow-insecure': { type: 'boolean', default: false },
      'allow-source-tasks': { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (!values.redis) fail('--redis is required');
  const url = checkRedisUrl(values.redis, values['allow-insecure'], 'mproc-worker');
  if (values.list) return { list: true, url, queue: values.queue, prefix: values.prefix } as const;
  if (!values['authkey-file']) fail('--authkey-file is required');
  const procs = values.procs === undefined ? availableParallelism() : Number(values.procs);
  if (!Number.isInteger(procs) || procs < 1) fail(`--procs must be an integer ≥ 1, got ${values.procs}`);
  const authkey = readFileSync(values['authkey-file'])
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!authkey) fail('the authkey file is empty');
  return {
    list: false,
    url,
    queue: values.queue,
    prefix: values.prefix,
    root: resolve(values.root),
    procs,
    authkey: createSecretKey(Buffer.from(authkey)),
    allowSourceTasks: values['allow-source-tasks'],
  };
}

/** Prints the queue's live hosts, one per line, from their announcements (host-roster.ts). */
async function listHosts(address: QueueAddress): Promise<void> {
  const client = await connectRedis(address.url);
  try {
    const hosts = await liveHosts(client, address);
    if (hosts.length === 0) {
      process.stdout.write(`no worker host serves queue ${address.queue} (prefix ${address.prefix})\n`);
    }
    for (const { host, pid, procs, node, code } of hosts) {
      process.stdout.write(
        `${host} pid ${pid}: ${procs} thread${procs === 1 ? '' : 's'}, Node ${node}, code ${code ?? 'unknown (no package.json)'}\n`,
      );
    }
  } finally {
    client.disconnect();
  }
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parse>;
  try {
    options = parse();
  } catch (error) {
    fail((error as Error).message);
  }
  if (options.list) {
    await listHosts(options);
    return;
  }
  const host = await WorkerHost.start(options);
  process.stdout.write(
    `mproc-worker ${host.id}: ${options.procs} threads on queue ${options.queue}, root ${options.root}\n`,
  );
  let stopping = false;
  // The first signal lets the jobs it holds finish; a second one (a task that never ends) does not.
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(
      'mproc-worker: stopping once the jobs it holds are done (signal again to exit now)\n',
    );
    host.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
  process.stderr.write(`mproc-worker: ${error.message}\n`);
  process.exit(1);
});
