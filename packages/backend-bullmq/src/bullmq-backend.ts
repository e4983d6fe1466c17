/** The producer's backend object: options checked once, one dispatcher shared by every seat. */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { BACKEND_API_VERSION, type Backend, type WorkerHandle, type WorkerStartOptions } from '@mproc/core';
import { Dispatcher } from './dispatcher.js';
import { rosterWarning } from './host-roster.js';
import type { QueueAddress } from './queue-address.js';
import { checkRedisUrl } from './redis-connection.js';
import { JobSeat, type SeatOwner } from './seat.js';

export interface BullmqOptions {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  readonly redis: string;
  /** The BullMQ queue that worker hosts pull from; default 'mproc'. */
  readonly queue?: string;
  /** Prefix of every Redis key of the queue (the ACL's key pattern); default 'mproc'. */
  readonly prefix?: string;
  /** The secret shared with the worker hosts: every job and result carries an HMAC under it. */
  readonly authkey: string | Uint8Array;
  /** The directory task modules are named relative to, as hosts' `--root`; default the working directory. */
  readonly root?: string;
  /** Accept a non-loopback Redis without a password or without TLS. */
  readonly allowInsecure?: boolean;
  /**
   * Send a function that no module of the pool exports (a lambda, a closure-free local function) as
   * its source text, as the local start methods do; default false: such a task fails with a
   * TypeError. Hosts run source text only when started with `--allow-source-tasks`. With both, any
   * holder of the authkey runs code of its choosing on the hosts, as with Python's managers and
   * pickle: for tests and trusted development clusters.
   */
  readonly allowSourceTasks?: boolean;
  /**
   * How long hosts go on with this producer's jobs once it stops renewing its lease (it died, or its
   * event loop was blocked that long): then they stop its running tasks and drop its waiting jobs.
   * Renewed every third of it; at least 1,000 ms; default 30,000.
   */
  readonly leaseMs?: number;
}

const DEFAULT_LEASE_MS = 30_000;

/** @throws TypeError for a lease that is not a whole number of ms of at least 1,000. */
function checkLease(leaseMs: unknown, what: string): number {
  if (leaseMs === undefined) return DEFAULT_LEASE_MS;
  if (Number.isSafeInteger(leaseMs) && (leaseMs as number) >= 1_000) return leaseMs as number;
  throw new TypeError(`${what}: leaseMs must be a whole number of milliseconds, at least 1000`);
}

/**
 * The authkey as an HMAC key, prepared once rather than per job.
 * @throws TypeError naming a missing or wrong option.
 */
function checkAuthkey(authkey: unknown, what: string): KeyObject {
  if ((typeof authkey === 'string' || authkey instanceof Uint8Array) && authkey.length > 0) {
    return createSecretKey(typeof authkey === 'string' ? Buffer.from(authkey) : authkey);
  }
  throw new TypeError(
    `${what}: authkey must be a non-empty string or Uint8Array (the secret shared with the worker hosts)`,
  );
}

/**
 * Remote: core offers only Pool and the executor. Not a separate process as core means it: nothing
 * may cross through this machine's shared memory.
 */
export const CAPABILITIES = Object.freeze({
  transfer: false,
  separateProcess: false,
  sharedPort: false,
  inheritsExecArgv: false,
  remote: true,
});

class BullmqBackend implements Backend, SeatOwner {
  readonly apiVersion = BACKEND_API_VERSION;
  readonly name = 'bullmq';
  readonly capabilities = CAPABILITIES;
  readonly root: string;
  readonly authkey: KeyObject;
  readonly allowSourceTasks: boolean;
  readonly #address: QueueAddress;
  readonly #leaseMs: number;
  #dispatcher: Promise<Dispatcher> | undefined;
  #seats = 0;
  /** Seats that keep the process alive: while there are any, so do the dispatcher's sockets. */
  readonly #referenced = new Set<object>();
  #nextIdent = 0;
  #hostsChecked = false;

  constructor(options: BullmqOptions, what: string) {
    if (typeof options !== 'object' || options === null)
      throw new TypeError(`${what}: options must be an object`);
    this.authkey = checkAuthkey(options.authkey, what);
    this.root = options.root ?? process.cwd();
    this.allowSourceTasks = options.allowSourceTasks === true;
    this.#leaseMs = checkLease(options.leaseMs, what);
    this.#address = {
      url: checkRedisUrl(options.redis, options.allowInsecure === true, what),
      queue: options.queue ?? 'mproc',
      prefix: options.prefix ?? 'mproc',
    };
  }

  startWorker(options: WorkerStartOptions): WorkerHandle {
    return new JobSeat(this, ++this.#nextIdent, options);
  }

  reference(seat: object, referenced: boolean): void {
    if (referenced) this.#referenced.add(seat);
    else this.#referenced.delete(seat);
    this.#dispatcher?.then(
      (dispatcher) => dispatcher.setReferenced(this.#referenced.size > 0),
      () => {},
    );
  }

  openDispatcher(): Promise<Dispatcher> {
    this.#seats++;
    if (!this.#dispatcher) {
      const opening = Dispatcher.open(this.#address, this.#leaseMs);
      this.#dispatcher = opening;
      opening.then(
        (dispatcher) => {
          dispatcher.setReferenced(this.#referenced.size > 0);
          this.#checkHosts(dispatcher);
        },
        () => {},
      );
      opening.catch(() => {
        if (this.#dispatcher === opening) this.#dispatcher = undefined; // the next seat tries again
      });
    }
    return this.#dispatcher;
  }

  /**
   * Warns once, when the first pool starts, when no host serves the queue or some run another Node
   * major or other code: else the calls would only wait, or fail on the hosts.
   */
  #checkHosts(dispatcher: Dispatcher): void {
    if (this.#hostsChecked) return;
    this.#hostsChecked = true;
    dispatcher.hosts().then(
      (hosts) => {
        const warning = rosterWarning(hosts, this.#address, this.root);
        if (warning) process.emitWarning(warning.message, { code: warning.code });
      },
      () => {}, // Redis trouble shows in the calls themselves
    );
  }

  async seatEnded(): Promise<void> {
    if (--this.#seats > 0 || !this.#dispatcher) return;
    const closing = this.#dispatcher;
    this.#dispatcher = undefined;
    await closing.then((dispatcher) => dispatcher.close()).catch(() => {});
  }
}

/**
 * The 'bullmq' start method with these options, for `getContext(backend)`.
 * @throws TypeError for a wrong option; Error for a remote Redis without a password or TLS (unless
 *   `allowInsecure`).
 */
export function bullmqBackend(options: BullmqOptions): Backend {
  return new BullmqBackend(options, 'bullmqBackend(options)');
}
