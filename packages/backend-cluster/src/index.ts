/**
 * Start method 'cluster': each worker is a `node:cluster` worker, so workers may `listen()` on one
 * shared server port, which the primary (this process) accepts and hands out. Workers inherit the
 * parent's execArgv (core passes the worker-safe ones) and environment; messages use cluster's IPC
 * channel with the 'advanced' (structured clone) serialization.
 *
 * `cluster.settings` is global, and `cluster.fork()` reads it synchronously. So that pools with
 * different options — and the user's own `cluster.fork()` calls — coexist, each start clears the
 * settings, applies this worker's with `cluster.setupPrimary()`, forks, and puts the previous
 * settings object back before returning. What stays visible to user code: `cluster.workers` lists
 * mproc's workers too, cluster's 'setup', 'fork', 'online', 'disconnect' and 'exit' events fire for
 * them, and `cluster.schedulingPolicy` is frozen by the first fork, as with any cluster use.
 *
 * @module @mproc/backend-cluster
 */
import { type ChildProcess, type ForkOptions, fork } from 'node:child_process';
import cluster, { type ClusterSettings } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { serialize } from 'node:v8';
import {
  BACKEND_API_VERSION,
  type Backend,
  IpcChildWorker,
  type ParentMessage,
  type WorkerStartOptions,
} from '@mproc/core';
import { isAttachedMessage } from './attach-message.js';

/**
 * The CommonJS build of the entry: it runs synchronously right after cluster's worker bootstrap, so
 * its 'error' listener is in place before cluster's own 'online' send can report that the parent
 * died meanwhile (an ES module entry loads asynchronously and would let that error crash loudly).
 */
const CHILD_ENTRY = fileURLToPath(new URL('./child-entry.cjs', import.meta.url));

/**
 * `cluster.fork(env)` adds `env` to the parent's environment; the `env` option replaces it. A
 * variable set to undefined is left out of the child's environment, so every parent variable is
 * listed as undefined first.
 */
function replacingEnvironment(env: WorkerStartOptions['env']): NodeJS.ProcessEnv | undefined {
  if (env === undefined) return undefined;
  const replaced: NodeJS.ProcessEnv = {};
  for (const name of Object.keys(process.env)) replaced[name] = undefined;
  return Object.assign(replaced, env);
}

/** Cluster declares `settings` read-only for users; Node itself reassigns it in `setupPrimary()`. */
function setSettings(settings: ClusterSettings): void {
  (cluster as { settings: ClusterSettings }).settings = settings;
}

/**
 * Forks one cluster worker with this worker's settings, leaving `cluster.settings` as it was. Only a
 * primary can fork cluster workers: inside a cluster worker (a Process or a pool started by a task)
 * the worker is a plain `child_process.fork` of the same entry instead, as Python lets any child
 * start children. That child is a primary of its own, so its children are cluster workers again.
 */
function forkWorker(options: WorkerStartOptions): ChildProcess {
  const settings = {
    execArgv: [...(options.execArgv ?? [])],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  } satisfies ForkOptions;
  if (!cluster.isPrimary) {
    return fork(CHILD_ENTRY, [String(process.pid)], { ...settings, env: options.env ?? process.env });
  }
  const previous = cluster.settings;
  try {
    // Start from empty settings: the user's cwd, uid or inspectPort are meant for their own workers.
    setSettings({});
    cluster.setupPrimary({ ...settings, exec: CHILD_ENTRY, args: [String(process.pid)], silent: false });
    return cluster.fork(replacingEnvironment(options.env)).process;
  } finally {
    setSettings(previous);
  }
}

class ClusterWorkerHandle extends IpcChildWorker {
  /** Messages held until the worker is listening (see attach-message); undefined from then on. */
  #held: ParentMessage[] | undefined = [];

  constructor(options: WorkerStartOptions) {
    super(forkWorker(options));
    this.child.on('message', (message: unknown) => {
      if (isAttachedMessage(message)) this.#flushHeld();
    });
  }

  override send(message: ParentMessage): void {
    if (this.#held) {
      // Serialize now so a message that cannot be sent still throws here, as the contract says.
      serialize(message);
      this.#held.push(message);
      return;
    }
    super.send(message);
  }

  // Cluster's own traffic ('NODE_CLUSTER' commands) arrives as 'internalMessage', never as
  // 'message'; the attach message passes through too, and core ignores it as it is not its protocol.
  // terminate() and kill() signal the process directly: cluster's Worker.kill() would first wait
  // for a graceful disconnect.

  #flushHeld(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const message of held) this.send(message);
  }
}

/**
 * The 'cluster' start method. `getContext('cluster')` loads it by itself; import it to hand it over directly
 * (`getContext(backend)`, `registerBackend(backend)`), e.g. from a bundle.
 */
export const backend: Backend = {
  apiVersion: BACKEND_API_VERSION,
  name: 'cluster',
  capabilities: { transfer: false, separateProcess: true, sharedPort: true, inheritsExecArgv: true },
  startWorker: (options) => new ClusterWorkerHandle(options),
};
