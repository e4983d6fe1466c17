/**
 * The conformance suite on 'bullmq': a real redis-server and two worker hosts, started here. The
 * suites send their tasks as source text, so producer and hosts allow it (`allowSourceTasks`,
 * `--allow-source-tasks`); that module tasks travel and source text is refused by default is tested
 * in bullmq.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bullmqBackend, backend as configuredFromEnvironment } from '@mproc/backend-bullmq';
import {
  authkeyFile,
  type HostProcess,
  hasRedisServer,
  type RedisServer,
  startHost,
  startRedis,
} from '@mproc/backend-bullmq/testing';
import type { Backend } from '@mproc/core';
import { describeConformance } from '@mproc/core/testing';
import { afterAll, beforeAll, describe } from 'vitest';

// The suites' task modules live in other packages of this repository: its root is the tasks' root.
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const AUTHKEY = 'conformance-authkey';

if (!hasRedisServer && process.env.CI) throw new Error('CI must have redis-server (.ci/run installs it)');

let redis: RedisServer | undefined;
let dir: string | undefined;
const hosts: HostProcess[] = [];
let configured: Backend | undefined;

/** The 'bullmq' start method, configured once the cluster below is up. */
const backend: Backend = {
  ...configuredFromEnvironment,
  startWorker(options) {
    if (!configured) throw new Error('the conformance cluster is not running');
    return configured.startWorker(options);
  },
};

describe.skipIf(!hasRedisServer)(
  `bullmq: two worker hosts on a real redis-server${hasRedisServer ? '' : ' (skipped: no redis-server on the PATH)'}`,
  () => {
    beforeAll(async () => {
      redis = await startRedis();
      dir = mkdtempSync(join(tmpdir(), 'mproc-bullmq-conformance-'));
      const args = ['--root', ROOT, '--redis', redis.url(), '--authkey-file', authkeyFile(dir, AUTHKEY)];
      for (let i = 0; i < 2; i++)
        hosts.push(await startHost([...args, '--procs', '4', '--allow-source-tasks']));
      configured = bullmqBackend({
        redis: redis.url(),
        authkey: AUTHKEY,
        root: ROOT,
        allowSourceTasks: true,
      });
    }, 60_000);
    afterAll(async () => {
      await Promise.all(hosts.map((host) => host.stop()));
      await redis?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    describeConformance(backend);
  },
);
